// Headless Debian chromium driven by playwright-core, for the web client's tests: pages
// that record every request they make (and block any that leaves the daemon's origin),
// an optional clock skew, and an independent measurement of the daemon's clock.
import { chromium } from 'playwright-core';
import { WebSocket } from 'ws';
import { performance } from 'node:perf_hooks';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Without the background-networking flags chromium keeps trying to reach the internet.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 20000 });
}

// This process's clock, on the same footing as the page's (monotonic, anchored once).
export const nodeNow = () => performance.timeOrigin + performance.now();

// A page on its own context. origin: every request must start with it (others are
// aborted and listed in page.foreign). skewMs shifts the page's Date.now and
// performance.now, as a tablet whose clock is wrong would be.
export async function openPage(browser, { origin, viewport = { width: 1024, height: 768 }, skewMs = 0 } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  if (skewMs) {
    await context.addInitScript((s) => {
      const dn = Date.now.bind(Date);
      Date.now = () => dn() + s;
      const pn = performance.now.bind(performance);
      performance.now = () => pn() + s;
    }, skewMs);
  }
  const page = await context.newPage();
  page.requests = [];
  page.foreign = [];
  page.errors = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`)) return route.continue();
    page.foreign.push(url);
    return route.abort();
  });
  context.on('request', (r) => page.requests.push(r.url()));
  page.on('websocket', (ws) => page.requests.push(ws.url()));
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(`console: ${m.text()}`); });
  return page;
}

// The offset of the daemon's clock to this process's (server = nodeNow() + offset), by
// the lowest of n ping round trips on a websocket of our own.
export async function daemonOffset(wsUrl, n = 12) {
  const ws = new WebSocket(wsUrl);
  ws.on('error', () => {});
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  let best = null;
  try {
    for (let i = 0; i < n; i++) {
      const t0 = nodeNow();
      const pong = await new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error('no pong')), 2000);
        const on = (data) => {
          const m = JSON.parse(data.toString());
          if (m.type === 'pong' && m.t === t0) { clearTimeout(timer); ws.off('message', on); res(m); }
        };
        ws.on('message', on);
        ws.send(JSON.stringify({ cmd: 'ping', t: t0 }));
      });
      const rtt = nodeNow() - t0;
      if (!best || rtt < best.rtt) best = { rtt, offset: pong.server_time - (t0 + rtt / 2) };
    }
  } finally {
    ws.close();
  }
  return best;
}

// The offset of a page's clock to this process's (node = page + offset), by the lowest
// of n evaluate round trips: independent of anything the page computes itself.
export async function pageOffset(page, n = 8) {
  let best = null;
  for (let i = 0; i < n; i++) {
    const t0 = nodeNow();
    const p = await page.evaluate(() => performance.timeOrigin + performance.now());
    const rtt = nodeNow() - t0;
    if (!best || rtt < best.rtt) best = { rtt, offset: t0 + rtt / 2 - p };
  }
  return best;
}

// Every request a page made went to the daemon's origin (http and ws).
export function foreignRequests(page, origin) {
  const ws = origin.replace(/^http/, 'ws');
  return [...page.foreign, ...page.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith(`${ws}/`))];
}
