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

// Steps el's font down from its CSS size until its content fits its box (to minPx at the
// least). A pixel at a time: titles are short and this runs only when they change.
export function shrinkToFit(el, minPx = 12) {
  el.style.fontSize = '';
  let size = parseFloat(getComputedStyle(el).fontSize) || 16;
  while (size > minPx && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)) {
    size = Math.max(minPx, size - 1);
    el.style.fontSize = `${size}px`;
  }
}

// Returns set(text): a block of wrapping text (a title) that shrinks until it fits its box,
// so a long title is never cut. el's CSS gives the largest size and a height or max-height in
// px (never in em: it would shrink with the font), overflow hidden. The font steps down
// until nothing overflows, to minPx at the least; words wrap, never end in an ellipsis.
// Refitted when the text's shape changes (digits count as one shape, so a ticking "in 0:12"
// costs nothing) and when the window is resized.
export function shrinker(el, { minPx = 12 } = {}) {
  let shape = null;
  const refit = () => shrinkToFit(el, minPx);
  window.addEventListener('resize', () => { shape = null; });
  return (text) => {
    if (el.textContent !== text) el.textContent = text;
    const s = text.replace(/[0-9]/g, '0');
    if (s !== shape) {
      shape = s;
      refit();
    }
  };
}
