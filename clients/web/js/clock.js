// Clock sync with the daemon: ping/pong over the websocket, the sample with the lowest
// round trip gives the offset, re-estimated every few seconds.

// This page's clock: monotonic (performance.now) anchored to the wall clock once, so a
// wall-clock step in the browser does not move a countdown.
export const localNow = () => performance.timeOrigin + performance.now();

const BURST_START = 8; // pings right after connecting
const BURST_EVERY = 3; // pings per re-estimate
const BURST_GAP_MS = 40;
const PERIOD_MS = 3000;
const WINDOW_MS = 30000; // samples older than this are forgotten (clocks drift)

export class ClockSync {
  // send(obj): puts a message on the websocket.
  constructor(send) {
    this.send = send;
    this.samples = [];
    this.pending = new Set();
    this.timers = new Set();
    this.offset = null; // server_time - localNow(), ms
    this.rtt = null; // round trip of the sample in use, ms
    this.coarseOffset = null; // from server_time in state, before any pong
  }

  // On every (re)connection: a burst now, then a few every PERIOD_MS. The old estimate
  // stays in use until the first new sample replaces it.
  start() {
    this.stop();
    this.samples = [];
    this.burst(BURST_START);
    // Again once the page has settled: pongs that wait behind page set-up look slow.
    this.later(() => this.burst(BURST_START), 1000);
    this.interval = setInterval(() => this.burst(BURST_EVERY), PERIOD_MS);
  }

  stop() {
    clearInterval(this.interval);
    this.timers.forEach(clearTimeout);
    this.timers.clear();
    this.pending.clear();
  }

  later(fn, ms) {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
  }

  burst(n) {
    for (let i = 0; i < n; i++) this.later(() => this.ping(), i * BURST_GAP_MS);
  }

  ping() {
    const t = localNow();
    this.pending.add(t);
    if (this.pending.size > 64) this.pending.delete(this.pending.values().next().value);
    this.send({ cmd: 'ping', t });
  }

  onPong(msg) {
    const t1 = localNow();
    if (!this.pending.delete(msg.t) || typeof msg.server_time !== 'number') return;
    const rtt = t1 - msg.t;
    if (rtt < 0) return;
    // The server read its clock somewhere inside the round trip; the middle is the best guess.
    this.samples.push({ at: t1, rtt, offset: msg.server_time - (msg.t + rtt / 2) });
    this.samples = this.samples.filter((s) => t1 - s.at <= WINDOW_MS);
    let best = this.samples[0];
    for (const s of this.samples) if (s.rtt < best.rtt) best = s;
    this.offset = best.offset;
    this.rtt = best.rtt;
  }

  // A rough offset from a state's server_time, used only until a pong arrives.
  coarse(serverTime) {
    if (typeof serverTime === 'number') this.coarseOffset = serverTime - localNow();
  }

  get synced() { return this.offset !== null; }

  // How far off the estimate can be: half the round trip of the sample in use.
  get uncertainty() { return this.rtt === null ? null : this.rtt / 2; }

  get offsetInUse() { return this.offset ?? this.coarseOffset ?? 0; }

  // The daemon's wall clock now, in ms.
  serverNow() { return localNow() + this.offsetInUse; }
}
