// The discreet badge every view shows: connection state and clock-sync health.
import { millis } from './format.js';

const LABEL = {
  connecting: 'CONNECTING',
  live: 'LIVE',
  stale: 'STALE',
  disconnected: 'DISCONNECTED',
  locked: 'NEEDS TOKEN',
};

// el: an empty element to fill; conn: a Connection. Also mirrors the figures on <body>
// as data attributes, for tests and for anyone inspecting the page.
export function mountHealth(el, conn) {
  el.classList.add('health');
  el.innerHTML = '<span class="dot"></span><span class="conn"></span><span class="sync"></span>';
  const connEl = el.querySelector('.conn');
  const syncEl = el.querySelector('.sync');
  const render = () => {
    const c = conn.clock;
    const u = c.uncertainty;
    el.dataset.conn = conn.status;
    connEl.textContent = LABEL[conn.status] || conn.status;
    let quality = 'none';
    if (u !== null) quality = u <= 5 ? 'good' : u <= 20 ? 'fair' : 'poor';
    el.dataset.sync = quality;
    syncEl.textContent = u === null ? 'sync ?' : `sync \u00b1${millis(u)} ms`;
    el.title = u === null
      ? 'Clock not yet synchronised with the daemon'
      : `Clock offset to the daemon ${c.offset.toFixed(1)} ms, uncertainty \u00b1${u.toFixed(2)} ms ` +
        `(best of ${c.samples.length} pings); reconnections: ${conn.reconnects}`;
    const b = document.body.dataset;
    b.conn = conn.status;
    b.offsetMs = c.offset === null ? '' : c.offset.toFixed(2);
    b.uncertaintyMs = u === null ? '' : u.toFixed(2);
    b.syncSamples = String(c.samples.length);
  };
  render();
  setInterval(render, 250);
  return render;
}
