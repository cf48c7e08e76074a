// Benchmark load: N websocket viewers on the daemon's /ws, each reading every
// state message the daemon pushes (see tests/bench/bench.mjs).
//
//   node viewers.mjs WS_URL N
//
// Opens N `ws` clients (no compression), waits until each has received its
// first state, then prints one JSON line {"event":"ready",...}. Runs until
// stdin says "stop" (or closes, or SIGTERM), then prints
// {"event":"summary",...}: how many were connected, the states each received
// (min / median / max), the highest state "seq" seen, and how many the daemon
// closed early or that failed. Every message is received and counted; only
// its first bytes are decoded (its "type" and "seq"), so this process stays
// light next to the daemon it loads.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const { WebSocket } = createRequire(join(ROOT, 'tests/integration/package.json'))('ws');

const [url, nArg] = process.argv.slice(2);
const N = Number(nArg || 200);
if (!url || !(N > 0)) {
  process.stderr.write('usage: node viewers.mjs WS_URL N\n');
  process.exit(2);
}

const clients = [];
let stopping = false;
let readyPrinted = false;
let readyAt = 0;
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

function maybeReady() {
  if (readyPrinted) return;
  const done = clients.filter((c) => c.states > 0 || c.failed).length;
  if (done === N) {
    readyPrinted = true;
    readyAt = performance.now();
    out({ event: 'ready', connected: clients.filter((c) => c.states > 0 && !c.closed).length, failed: clients.filter((c) => c.failed).length });
  }
}

for (let i = 0; i < N; i++) {
  const c = { states: 0, other: 0, maxSeq: 0, closed: false, failed: false, error: null };
  clients.push(c);
  const ws = new WebSocket(url, { perMessageDeflate: false });
  c.ws = ws;
  ws.on('message', (data, isBinary) => {
    // Only the head: {"type":"state","seq":N,...}
    const head = isBinary ? '' : data.toString('latin1', 0, Math.min(data.length, 80));
    if (head.startsWith('{"type":"state"')) {
      c.states++;
      const m = /"seq":(\d+)/.exec(head);
      if (m) c.maxSeq = Math.max(c.maxSeq, Number(m[1]));
      if (c.states === 1) maybeReady();
    } else {
      c.other++;
    }
  });
  ws.on('error', (e) => { c.error = String(e.message || e); if (!c.states) { c.failed = true; maybeReady(); } });
  ws.on('close', (code, reason) => {
    c.closed = true;
    if (!stopping) { c.closeCode = code; c.closeReason = String(reason); c.closedAt = performance.now() - readyAt; }
    if (!c.states) { c.failed = true; maybeReady(); }
  });
}

// Bounded: if not all are in within 10 s, report what there is.
const readyTimer = setTimeout(() => {
  if (!readyPrinted) {
    readyPrinted = true;
    out({ event: 'ready', connected: clients.filter((c) => c.states > 0 && !c.closed).length, failed: N - clients.filter((c) => c.states > 0).length, timeout: true });
  }
}, 10000);

function finish() {
  if (stopping) return;
  stopping = true;
  clearTimeout(readyTimer);
  const states = clients.map((c) => c.states).sort((a, b) => a - b);
  const closedEarly = clients.filter((c) => c.closed && c.closeCode !== undefined);
  const reasons = {};
  for (const c of closedEarly) {
    const k = `${c.closeCode} ${c.closeReason}`.trim();
    reasons[k] = (reasons[k] || 0) + 1;
  }
  out({
    event: 'summary',
    viewers: N,
    connected_at_end: clients.filter((c) => !c.closed && c.ws.readyState === WebSocket.OPEN).length,
    states_total: states.reduce((a, b) => a + b, 0),
    states_min: states[0],
    states_median: states[Math.floor(states.length / 2)],
    states_max: states[states.length - 1],
    max_seq: Math.max(0, ...clients.map((c) => c.maxSeq)),
    other_messages: clients.reduce((a, c) => a + c.other, 0),
    closed_early: closedEarly.length,
    close_reasons: reasons,
    // ms after "ready" at which the first, middle and last early close happened
    closed_at_ms: closedEarly.length ? [0, 0.5, 1].map((q) => {
      const t = closedEarly.map((c) => c.closedAt).sort((a, b) => a - b);
      return Math.round(t[Math.min(t.length - 1, Math.floor(q * t.length))]);
    }) : null,
    failed: clients.filter((c) => c.failed).length,
    errors: [...new Set(clients.map((c) => c.error).filter(Boolean))].slice(0, 3),
  });
  for (const c of clients) c.ws.terminate();
  setTimeout(() => process.exit(0), 50);
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (s) => { if (s.includes('stop')) finish(); });
process.stdin.on('end', finish);
process.on('SIGTERM', finish);
process.on('SIGINT', finish);
