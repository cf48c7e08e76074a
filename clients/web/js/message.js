// The producer's stage message: its colour, and a banner that flashes when it is new.

// Colour names the daemon accepts (any lowercase word) mapped to shades that stay
// readable on black; other names go to the browser as CSS colours, #rrggbb as is.
const PALETTE = {
  red: '#ff3b30', amber: '#ffb000', orange: '#ff9500', yellow: '#ffd60a', green: '#30d158',
  blue: '#409cff', cyan: '#64d2ff', purple: '#bf5af2', pink: '#ff4f8b', white: '#ffffff',
};
const DEFAULT = PALETTE.amber;
export const MESSAGE_COLORS = Object.keys(PALETTE);
const FLASH_MS = 10000;

export function messageColor(name) {
  if (!name) return DEFAULT;
  return PALETTE[name] || name;
}

// Black or white text, whichever reads better on this background.
function textOn(el) {
  const m = getComputedStyle(el).backgroundColor.match(/\d+(\.\d+)?/g);
  if (!m) return '#000';
  const [r, g, b] = m.slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.18 ? '#000' : '#fff';
}

// Returns update(message, serverNow): shows or hides el for state.message; the banner
// flashes for its first ten seconds, then stays lit.
export function messageBanner(el) {
  let key = null;
  return (msg, serverNow) => {
    if (!msg || !msg.text) {
      if (!el.hidden) el.hidden = true;
      key = null;
      return;
    }
    const k = `${msg.since}|${msg.color}|${msg.text}`;
    if (k !== key) {
      key = k;
      el.textContent = msg.text;
      el.style.setProperty('--msg', DEFAULT);
      el.style.setProperty('--msg', messageColor(msg.color));
      el.style.backgroundColor = 'var(--msg)';
      el.style.setProperty('--msg-text', textOn(el));
      el.style.backgroundColor = '';
      el.hidden = false;
    }
    el.classList.toggle('flash', serverNow - msg.since < FLASH_MS);
  };
}
