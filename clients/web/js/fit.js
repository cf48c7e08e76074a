// Sizes a line of text to fill its box: the countdown as large as the screen allows.

// Returns fit(text, scale): sets el's text, and its font size (scale times the largest
// that fits) when the text's shape (its length and where the digits are) or the box changed. With tabular numerals every digit has
// the same width, so a ticking countdown never resizes.
export function fitter(el, box, { maxHeightFraction = 0.9, maxWidthFraction = 0.96 } = {}) {
  let shape = null;
  let boxW = 0;
  let boxH = 0;
  let scale = 1;
  const resize = () => {
    el.style.fontSize = '100px';
    const w = el.scrollWidth || 1;
    const h = el.offsetHeight || 1;
    const size = Math.max(8, Math.floor(100 * scale * Math.min((boxW * maxWidthFraction) / w, (boxH * maxHeightFraction) / h)));
    el.style.fontSize = `${size}px`;
  };
  const observer = new ResizeObserver(() => { shape = null; });
  observer.observe(box);
  return (text, k = 1) => {
    const s = `${k}|${text.replace(/[0-9]/g, '0')}`;
    scale = k;
    if (el.textContent !== text) el.textContent = text;
    if (s !== shape || box.clientWidth !== boxW || box.clientHeight !== boxH) {
      shape = s;
      boxW = box.clientWidth;
      boxH = box.clientHeight;
      resize();
    }
  };
}
