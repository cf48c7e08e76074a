// Soak load: websocket viewers that keep connecting to and leaving the daemon's /ws.
//
//   node churn.mjs WS_URL N MIN_S MAX_S
//
// Keeps about N `ws` clients (no compression) connected: each stays a random
// MIN_S..MAX_S seconds after it opens, then leaves, half of them with a clean
// close (1000, a closing handshake) and half by destroying the socket (no
// close frame, as a tablet that loses its network does). Whenever one is gone,
// for whatever reason, a new one takes its place after a short random pause
// (0-100 ms), so the daemon always sees arrivals and departures. Each viewer
// reads every message (only the first bytes of a state are decoded) and, like
// the web client, sends {"cmd":"ping"} at once and every 3 s; the daemon's
// pongs are counted.
//
// The first viewers are spread over the first second. stdin lines:
//   "stats"  print {"event":"stats",...}: counters so far and how many are open
//   "stop"   stop replacing, close every viewer, print {"event":"summary",...}
//            and exit (so does the end of stdin, or SIGTERM)
// "ready" is printed once N viewers have each received a first state (or 15 s
// passed). Counters: connections opened (attempted), open (handshake done),
// states and pongs received, our clean closes and destroys, closes the daemon
// started (with their code and reason), and handshake errors (e.g. 503 when
// the daemon is at limits.max_clients).
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const { WebSocket } = createRequire(join(ROOT, 'tests/integration/package.json'))('ws');

const [url, nArg, minArg, maxArg] = process.argv.slice(2);
const N = Number(nArg || 200);
const MIN_MS = Number(minArg || 1) * 1000;
const MAX_MS = Number(maxArg || 20) * 1000;
if (!url || !(N > 0) || !(MAX_MS >= MIN_MS)) {
  process.stderr.write('usage: node churn.mjs WS_URL N MIN_S MAX_S\n');
  process.exit(2);
}

const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const live = new Set();
const c = {
  opened: 0, open: 0, first_state: 0, states: 0, pongs: 0, other: 0, max_seq: 0,
  closed_clean: 0, destroyed: 0, closed_by_daemon: 0, errors: 0, handshake_failed: 0,
  // Of the viewers the daemon closed: how many had not yet had a state, and
  // how long after their handshake it closed them (ms: under 100, under 1000, more).
  daemon_closed_before_state: 0, daemon_closed_after_ms: { lt100: 0, lt1000: 0, more: 0 },
};
const byDaemon = {}; // "code reason" -> count, for closes we did not start
const errors = {}; // error message -> count
const details = []; // the first few errors on open connections
let stopping = false;
let readyPrinted = false;

function viewer() {
  if (stopping) return;
  const v = { states: 0, ours: false, opened: false };
  c.opened++;
  const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 5000 });
  v.ws = ws;
  live.add(v);
  ws.on('open', () => {
    v.opened = true;
    v.openedAt = performance.now();
    c.open++;
    const ping = () => { if (ws.readyState === WebSocket.OPEN) ws.send(`{"cmd":"ping","t":${Date.now()}}`); };
    ping();
    v.pinger = setInterval(ping, 3000);
    v.leave = setTimeout(() => {
      v.ours = true;
      if (Math.random() < 0.5) { c.closed_clean++; v.how = 'close'; ws.close(1000, 'bye'); } else { c.destroyed++; v.how = 'destroy'; ws.terminate(); }
    }, MIN_MS + Math.random() * (MAX_MS - MIN_MS));
  });
  ws.on('message', (data, isBinary) => {
    const head = isBinary ? '' : data.toString('latin1', 0, Math.min(data.length, 80));
    if (head.startsWith('{"type":"state"')) {
      c.states++;
      const m = /"seq":(\d+)/.exec(head);
      if (m) c.max_seq = Math.max(c.max_seq, Number(m[1]));
      if (++v.states === 1) { c.first_state++; maybeReady(); }
    } else if (head.startsWith('{"type":"pong"')) c.pongs++;
    else c.other++;
  });
  ws.on('unexpected-response', (req, res) => {
    // The handshake was refused (503 at max_clients); ws then emits 'error'.
    const k = `HTTP ${res.statusCode}`;
    errors[k] = (errors[k] || 0) + 1;
    req.destroy();
  });
  ws.on('error', (e) => {
    c.errors++;
    const k = String(e.message || e).slice(0, 80);
    if (!k.startsWith('Unexpected server response')) errors[k] = (errors[k] || 0) + 1;
    // An error on an open connection is the daemon's doing (or the wire's): keep the details.
    if (v.opened && details.length < 5) {
      details.push({ error: k, after_ms: Math.round(performance.now() - v.openedAt), states: v.states,
        we_were_leaving: v.ours ? (v.how || '?') : false });
    }
  });
  ws.on('close', (code, reason) => {
    clearInterval(v.pinger);
    clearTimeout(v.leave);
    live.delete(v);
    if (!v.opened) c.handshake_failed++;
    else if (!v.ours && !stopping) {
      c.closed_by_daemon++;
      if (!v.states) c.daemon_closed_before_state++;
      const ms = performance.now() - v.openedAt;
      c.daemon_closed_after_ms[ms < 100 ? 'lt100' : ms < 1000 ? 'lt1000' : 'more']++;
      const k = `${code} ${reason}`.trim();
      byDaemon[k] = (byDaemon[k] || 0) + 1;
    }
    // A replacement, after a short pause so the churn is not one burst.
    if (!stopping) setTimeout(viewer, Math.random() * 100);
  });
}

function openNow() {
  let n = 0;
  for (const v of live) if (v.ws.readyState === WebSocket.OPEN) n++;
  return n;
}

function maybeReady() {
  if (!readyPrinted && c.first_state >= N) {
    readyPrinted = true;
    out({ event: 'ready', open_now: openNow() });
  }
}
setTimeout(() => { if (!readyPrinted) { readyPrinted = true; out({ event: 'ready', open_now: openNow(), timeout: true }); } }, 15000).unref();

for (let i = 0; i < N; i++) setTimeout(viewer, (i * 1000) / N);

function finish() {
  if (stopping) return;
  stopping = true;
  const open = openNow();
  for (const v of live) v.ws.terminate();
  out({ event: 'summary', open_at_stop: open, ...c, closes_by_daemon: byDaemon, errors_by_kind: errors, error_details: details });
  setTimeout(() => process.exit(0), 50);
}

process.stdin.setEncoding('utf8');
let buf = '';
process.stdin.on('data', (s) => {
  buf += s;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i).trim();
    buf = buf.slice(i + 1);
    if (line === 'stats') out({ event: 'stats', open_now: openNow(), ...c });
    else if (line === 'stop') finish();
  }
});
process.stdin.on('end', finish);
process.on('SIGTERM', finish);
process.on('SIGINT', finish);
