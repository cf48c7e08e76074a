// showcallerd's benchmark: `make bench` runs this after bench_parse.
//
// METHOD. Every figure comes from the real build/showcallerd, started on
// loopback with a generated config and stopped with SIGTERM (it must exit 0),
// measured by processes that are not the daemon:
//
// - OSC cue lateness. One GO item with BENCH_CUES (5000) OSC/UDP cues 2 ms
//   apart (the first 100 ms after the GO), each carrying its index as an int32,
//   aimed at tests/bench/udp_stamp.c, which takes the kernel's receive time of
//   every datagram (SO_TIMESTAMPNS, CLOCK_REALTIME). Lateness = that stamp
//   minus the cue's "scheduled" time in the daemon's as-run log (ISO 8601 UTC,
//   µs). The scheduled times are also checked against the plan (the item's
//   actual start plus the cue's offset) and every cue must arrive exactly
//   once with an as-run record "sent". "send side" is the as-run's own
//   lateness_us: when the cue clock handed the datagram to the kernel.
// - GO -> cue. BENCH_GO (1000) GO items, each with one cue at "0" to the same
//   receiver, go_guard "0". udp_stamp reads CLOCK_REALTIME, sends the OSC
//   message /showcaller/go from 127.0.0.1, and waits for the cue; the figure is
//   the cue's kernel receive stamp minus the time read before sendto. Trials
//   are 5-10 ms apart (random; more than the loop's own work per GO, so a GO
//   does not queue behind the last one's state push); the cue must carry the
//   trial's index.
// - Websocket cue lateness. A second GO item with BENCH_WS_CUES (500) cues
//   10 ms apart to a `ws` server in this process; arrival is
//   performance.timeOrigin + performance.now() (wall clock, µs) when the
//   message event runs, minus the as-run "scheduled". It includes Node's own
//   scheduling delay, so it is an upper bound.
// - HTTP cues ("http", idle only; one daemon, three GO items in turn).
//   tests/bench/http_device.mjs, a Node `http` server in a child process of its
//   own, answers every request 200 at once. (1) BENCH_HTTP_CUES (400) GET cues
//   BENCH_HTTP_SPACING_MS (10) apart: send side lateness (as-run lateness_us),
//   the answer round trip (the as-run "answer" record's answer_us, cue written
//   -> response parsed, matched to its cue by cue_seq; every cue must be
//   answered "ok" once) and arrival at the device (Node's wall clock when the
//   request event runs - "scheduled", an upper bound). (2) BENCH_CUES OSC cues
//   measured as the OSC cue lateness above, alone, then the same OSC cues again
//   while the item also sends an HTTP cue every BENCH_MIX_SPACING_MS (5: 200 a
//   second) to the same device over the same span (HTTP cues at 100 + 5k ms,
//   so every second one shares its deadline with an OSC cue). The two OSC
//   distributions are printed side by side, with that run's HTTP figures.
// - OBS cues ("obs"; BENCH_OBS=0 skips it). Only where real OBS can start:
//   tests/integration/obs/obs-headless.sh (or $OBS_HEADLESS) runs this file
//   again with BENCH_OBS_INNER=1 inside its private network namespace, where
//   the daemon, an obs:// target and the measuring run BENCH_OBS_CUES (100)
//   SetCurrentProgramScene cues BENCH_OBS_SPACING_MS (50) apart, alternating
//   "Scene B"/"Scene A"; the inner run prints its figures (send side lateness,
//   answer_us) as one "@@bench-obs" JSON line. Without obs, xvfb-run or the
//   script, or when OBS does not come up, the report says "OBS: skipped (why)".
// - Conditions. "idle": nothing else runs. "busy": tests/bench/viewers.mjs
//   keeps BENCH_VIEWERS (200) websocket viewers on /ws, each reading every
//   state message the daemon pushes (the cues cause one push each), and a
//   `node -e 'for(;;){}'` child keeps one more core busy. Each condition runs
//   without and with --realtime (SCHED_FIFO for the cue clock; the daemon
//   logs whether it was granted, shown in the table).
// - Memory and start-up. The demo show (config/evening-news.json) with the
//   demo config's targets pointed at closed loopback ports: VmRSS and VmHWM
//   from /proc/PID/status with BENCH_VIEWERS viewers connected; start to ready
//   as spawn -> the "showcallerd is running" stdout line, and the daemon's own
//   "ready in X ms" log line, over BENCH_STARTS + 1 (6) starts.
// - Diagnostics. Per-thread CPU of the daemon (/proc/PID/task/*/stat) in each
//   phase (the loop thread, the cue clock thread), the state message size,
//   what the viewers received and whether the daemon dropped any, and the
//   machine's load average (other work on a shared machine moves every figure).
// Percentiles are nearest-rank over all samples. Targets are printed next to
// the figures and never asserted: these machines are shared and noisy. The
// bench fails only when something is wrong (a crash, an unclean exit, a
// missing, duplicated or mislogged cue, a refused GO) and says what.
// Bounded: BENCH_TIME_LIMIT_S (260) for the whole run; every child process
// and the temporary directory are removed on any exit.
// Knobs (environment): BENCH_CUES, BENCH_CUE_SPACING_MS, BENCH_GO,
// BENCH_GO_GAP_MS ("5-10"), BENCH_WS_CUES, BENCH_WS_SPACING_MS, BENCH_VIEWERS,
// BENCH_STARTS, BENCH_HTTP_CUES, BENCH_HTTP_SPACING_MS, BENCH_MIX_SPACING_MS,
// BENCH_OBS=0, BENCH_OBS_CUES, BENCH_OBS_SPACING_MS, BENCH_ONLY (a subset of
// "idle,busy,idle-rt,busy-rt,http,obs,memory"; memory also runs with any of the
// four conditions),
// BENCH_SPIN=0 (busy without the spinning core), BENCH_RAW=FILE (every
// sample as JSON), BENCH_TIME_LIMIT_S.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir, cpus, release, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import net from 'node:net';
import dgram from 'node:dgram';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const BUILD = resolve(ROOT, process.env.BUILD || 'build');
const DAEMON = process.env.SHOWCALLERD || join(BUILD, 'showcallerd');
const STAMP = process.env.UDP_STAMP || join(BUILD, 'udp_stamp');
const { WebSocketServer } = createRequire(join(ROOT, 'tests/integration/package.json'))('ws');

const env = (k, d) => (process.env[k] !== undefined && process.env[k] !== '' ? Number(process.env[k]) : d);
const N_CUES = env('BENCH_CUES', 5000);
const CUE_SPACING_MS = env('BENCH_CUE_SPACING_MS', 2);
const N_GO = env('BENCH_GO', 1000);
const N_WS = env('BENCH_WS_CUES', 500);
const WS_SPACING_MS = env('BENCH_WS_SPACING_MS', 10);
const GO_GAP_MS = (process.env.BENCH_GO_GAP_MS || '5-10').split('-').map(Number); // random pause between GOs, ms
if (GO_GAP_MS.length === 1) GO_GAP_MS.push(GO_GAP_MS[0]);
const N_VIEWERS = env('BENCH_VIEWERS', 200);
const N_STARTS = env('BENCH_STARTS', 5);
const SPIN = env('BENCH_SPIN', 1); // 0: the busy conditions without the spinning child (diagnosis)
const N_HTTP = env('BENCH_HTTP_CUES', 400);
const HTTP_SPACING_MS = env('BENCH_HTTP_SPACING_MS', 10);
const MIX_SPACING_MS = env('BENCH_MIX_SPACING_MS', 5); // 200 HTTP cues a second beside the OSC cues
const OBS = env('BENCH_OBS', 1);
const N_OBS = env('BENCH_OBS_CUES', 100);
const OBS_SPACING_MS = env('BENCH_OBS_SPACING_MS', 50);
const OBS_INNER = process.env.BENCH_OBS_INNER === '1'; // this run is the OBS phase inside obs-headless.sh
const TIME_LIMIT_S = env('BENCH_TIME_LIMIT_S', OBS_INNER ? 90 : 260);
const TOKEN = 'bench-control-token-0123456789';
const RAW = process.env.BENCH_RAW || ''; // a file to write every sample to, as JSON
const raw = {};
const BASE_S = Math.floor(Date.now() / 1000) - 10; // times are kept as ns after this second

// ---- Process and temp-dir hygiene ---------------------------------------------

const TMP = mkdtempSync(join(tmpdir(), 'showcaller-bench-'));
const children = new Set();
const problems = [];
const notes = [];
let finished = false;

// group: the child leads a process group of its own (obs-headless.sh and what
// it starts), which cleanup() sends SIGTERM so that its traps stop OBS.
function spawnTracked(cmd, args, opts = {}, { group = false } = {}) {
  const p = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], ...opts, ...(group ? { detached: true } : {}) });
  p.group = group;
  children.add(p);
  p.exited = new Promise((res) => p.on('exit', (code, signal) => { children.delete(p); res({ code, signal }); }));
  p.on('error', () => {});
  for (const s of [p.stdin, p.stdout, p.stderr]) s?.on('error', () => {});
  return p;
}

function cleanup() {
  for (const p of children) {
    try { if (p.group) process.kill(-p.pid, 'SIGTERM'); else p.kill('SIGKILL'); } catch { /* gone */ }
  }
  children.clear();
  try { rmSync(TMP, { recursive: true, force: true }); } catch { /* best effort */ }
}

function abort(why) {
  if (finished) return;
  finished = true;
  process.stderr.write(`\nbench: ABORTED: ${why}\n`);
  for (const p of problems) process.stderr.write(`  problem: ${p}\n`);
  cleanup();
  process.exit(1);
}

process.on('SIGINT', () => abort('interrupted'));
process.on('SIGTERM', () => abort('terminated'));
process.on('uncaughtException', (e) => abort(e.stack || String(e)));
process.on('unhandledRejection', (e) => abort(e?.stack || String(e)));
process.on('exit', () => cleanup());
const watchdog = setTimeout(() => abort(`time limit of ${TIME_LIMIT_S} s reached`), TIME_LIMIT_S * 1000);

// ---- Small helpers ----------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check, ms, what, { soft = false } = {}) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) {
      if (soft) return null;
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await sleep(5);
  }
}

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

function freeUdpPort() {
  return new Promise((res) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

function lines(stream, fn) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', fn);
}

// "2026-11-27T17:00:00.000123Z" -> ns after BASE_S.
function isoNs(s) {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(s || '');
  if (!m) return null;
  const frac = (m[2] || '').padEnd(9, '0');
  return (Date.parse(`${m[1]}Z`) / 1000 - BASE_S) * 1e9 + Number(frac);
}
const stampNs = (sec, nsec) => (Number(sec) - BASE_S) * 1e9 + Number(nsec);
const wallNowNs = () => (performance.timeOrigin - BASE_S * 1000 + performance.now()) * 1e6;

function stats(ns) {
  const a = Float64Array.from(ns).sort();
  const n = a.length;
  const q = (p) => (n ? a[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] / 1e3 : NaN);
  return { n, min: n ? a[0] / 1e3 : NaN, p50: q(0.5), p99: q(0.99), p999: q(0.999), max: n ? a[n - 1] / 1e3 : NaN };
}

function rss(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s) || [])[1]);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch { return { rss: NaN, hwm: NaN }; }
}

// CPU time of each of a process's threads: tid -> {ticks, fifo}.
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
function threadTicks(pid) {
  const m = new Map();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const f = st.slice(st.lastIndexOf(')') + 2).split(' '); // f[0] is field 3
        m.set(Number(tid), { ticks: Number(f[11]) + Number(f[12]), fifo: Number(f[38]) === 1 });
      } catch { /* thread gone */ }
    }
  } catch { /* process gone */ }
  return m;
}
// Per-thread CPU between two snapshots, as a share of one core over ms.
function threadShare(pid, a, b, ms) {
  const rows = [];
  for (const [tid, x] of b) {
    const d = x.ticks - (a.get(tid)?.ticks || 0);
    rows.push({ tid, main: tid === pid, fifo: x.fifo, share: (d / CLK_TCK) * 1000 / ms, cpuMs: (d / CLK_TCK) * 1000 });
  }
  const main = rows.find((r) => r.main) || { share: NaN, cpuMs: NaN };
  const others = rows.filter((r) => !r.main).sort((x, y) => y.share - x.share);
  return { loop: main, clock: others.find((r) => r.fifo) || others[0] || { share: NaN, cpuMs: NaN } };
}

// ---- The daemon ---------------------------------------------------------------

let daemonSeq = 0;
const exits = [];

class Daemon {
  constructor(name) { this.name = name; this.dir = join(TMP, `${++daemonSeq}-${name}`); mkdirSync(this.dir); }

  async start({ show, showPath = null, targets, realtime = false, goGuard = '0', oscPort = null }) {
    this.http = await freePort();
    this.osc = oscPort || await freeUdpPort();
    this.config = {
      http: { listen: `127.0.0.1:${this.http}` },
      osc: { listen: `127.0.0.1:${this.osc}`, allow: ['127.0.0.1'] },
      data_dir: join(this.dir, 'data'),
      go_guard: goGuard,
      // The GO trials send 100-200 commands a second from one address.
      limits: { commands_per_second: 10000 },
      auth: { control_token: TOKEN, view_token: null },
      targets,
    };
    const cfg = join(this.dir, 'config.json');
    writeFileSync(cfg, JSON.stringify(this.config, null, 1));
    this.showPath = showPath || join(this.dir, 'show.json');
    if (!showPath) writeFileSync(this.showPath, JSON.stringify(show));
    this.stdout = '';
    this.stderr = '';
    const t0 = performance.now();
    this.proc = spawnTracked(DAEMON, ['--config', cfg, '--web', join(ROOT, 'clients/web'),
      ...(realtime ? ['--realtime'] : []), this.showPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (b) => {
      this.stdout += b;
      if (this.readyMs === undefined && this.stdout.includes('showcallerd is running')) this.readyMs = performance.now() - t0;
    });
    this.proc.stderr.on('data', (b) => { this.stderr += b; });
    await waitFor(() => this.readyMs !== undefined || this.proc.exitCode !== null || this.proc.signalCode !== null,
      10000, `${this.name}: the daemon to start`);
    if (this.readyMs === undefined) throw new Error(`${this.name}: showcallerd exited at start:\n${this.stderr}`);
    await waitFor(() => /ready in [\d.]+ ms/.test(this.stderr), 1000, 'the "ready in" log line', { soft: true });
    this.ownReadyMs = Number((/ready in ([\d.]+) ms/.exec(this.stderr) || [])[1]);
    // "cue clock: SCHED_FIFO granted" / "... not permitted here ..." / "off (...)"
    const rt = /cue clock: SCHED_FIFO ([^\n]*)/.exec(this.stderr)?.[1] || '';
    this.realtime = !realtime ? 'off' : rt.startsWith('granted') ? 'granted' : /not permitted/.test(rt) ? 'not permitted' : `not logged (${rt})`;
    return this;
  }

  get pid() { return this.proc.pid; }
  get wsUrl() { return `ws://127.0.0.1:${this.http}/ws`; }
  alive() { return this.proc.exitCode === null && this.proc.signalCode === null; }

  async api(cmd, body) {
    const res = await fetch(`http://127.0.0.1:${this.http}/api/${cmd}`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: body === undefined ? '' : JSON.stringify(body), signal: AbortSignal.timeout(5000),
    });
    const json = await res.json();
    if (!json.ok) throw new Error(`${this.name}: POST /api/${cmd} refused: ${JSON.stringify(json)}`);
    return json;
  }

  async stateText() {
    const res = await fetch(`http://127.0.0.1:${this.http}/api/state`, { signal: AbortSignal.timeout(5000) });
    return res.text();
  }

  async state() {
    const res = await fetch(`http://127.0.0.1:${this.http}/api/state`, { signal: AbortSignal.timeout(5000) });
    return res.json();
  }

  // SIGTERM; it must exit 0 by itself within 5 s.
  async stop() {
    if (this.alive()) this.proc.kill('SIGTERM');
    let killed = false;
    const t = setTimeout(() => { killed = true; this.proc.kill('SIGKILL'); }, 5000);
    const r = await this.proc.exited;
    clearTimeout(t);
    const clean = !killed && r.code === 0;
    exits.push({ name: this.name, ...r, killed, clean });
    if (!clean) {
      problems.push(`${this.name}: daemon ${killed ? 'did not exit within 5 s of SIGTERM (killed)' : `exited with ${r.signal || `code ${r.code}`}`}; stderr tail:\n${this.stderr.split('\n').slice(-8).join('\n')}`);
    }
    return r;
  }

  asrun() {
    const dir = this.config.data_dir;
    if (!existsSync(dir)) return [];
    const out = [];
    for (const f of readdirSync(dir).filter((x) => /^asrun-.*\.jsonl$/.test(x)).sort()) {
      for (const l of readFileSync(join(dir, f), 'utf8').split('\n')) {
        if (!l) continue;
        try { out.push(JSON.parse(l)); } catch { problems.push(`${this.name}: as-run line is not JSON: ${l.slice(0, 120)}`); }
      }
    }
    return out;
  }
}

// ---- Peers --------------------------------------------------------------------

async function readPort(p, what) {
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${what}: no port line`)), 5000);
    lines(p.stdout, (l) => {
      const m = /^port (\d+)$/.exec(l);
      if (m) { clearTimeout(t); res(Number(m[1])); } else p.emit('line', l);
    });
  });
}

async function startStampRecv() {
  const p = spawnTracked(STAMP, ['recv']);
  const r = { proc: p, arrivals: new Map(), dups: 0, other: 0, count: 0 };
  p.on('line', (l) => {
    const f = l.split(' ');
    if (f[0] === 'R') {
      const i = Number(f[1]);
      if (r.arrivals.has(i)) r.dups++; else { r.arrivals.set(i, stampNs(f[2], f[3])); r.count++; }
    } else if (f[0] === 'X') r.other++;
  });
  r.port = await readPort(p, 'udp_stamp recv');
  r.stop = async () => { p.stdin.end(); p.kill('SIGTERM'); await p.exited; };
  return r;
}

async function startWsReceiver() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('error', () => {});
  const r = { arrivals: new Map(), dups: 0, other: 0, count: 0, connections: 0 };
  wss.on('connection', (ws) => {
    r.connections++;
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const at = wallNowNs();
      let m;
      try { m = JSON.parse(data); } catch { r.other++; return; }
      if (typeof m?.bench !== 'number') { r.other++; return; }
      if (r.arrivals.has(m.bench)) r.dups++; else { r.arrivals.set(m.bench, at); r.count++; }
    });
  });
  await new Promise((res) => wss.on('listening', res));
  r.port = wss.address().port;
  r.close = () => new Promise((res) => { for (const c of wss.clients) c.terminate(); wss.close(() => res()); });
  return r;
}

// tests/bench/http_device.mjs in a child process; stop() returns its summary
// with arrivals as cue index -> ns after BASE_S.
async function startHttpDevice() {
  const p = spawnTracked(process.execPath, [join(ROOT, 'tests/bench/http_device.mjs')]);
  let summary = null;
  p.on('line', (l) => { try { summary = JSON.parse(l); } catch { /* ignore */ } });
  const r = { proc: p, port: await readPort(p, 'http_device') };
  r.stop = async () => {
    p.stdin.write('stop\n');
    await waitFor(() => summary || p.exitCode !== null, 5000, 'the HTTP device summary', { soft: true });
    p.kill('SIGKILL');
    await p.exited;
    const s = summary || { requests: NaN, other: NaN, dups: NaN, connections: NaN, arrivals: [] };
    s.arrivals = new Map(s.arrivals.map(([i, us]) => [i, (us - BASE_S * 1e6) * 1e3]));
    return s;
  };
  return r;
}

async function startViewers(url, n) {
  const p = spawnTracked(process.execPath, [join(ROOT, 'tests/bench/viewers.mjs'), url, String(n)]);
  const v = { proc: p, msgs: [] };
  lines(p.stdout, (l) => { try { v.msgs.push(JSON.parse(l)); } catch { /* ignore */ } });
  p.stderr.on('data', (b) => { v.stderr = (v.stderr || '') + b; });
  const ready = await waitFor(() => v.msgs.find((m) => m.event === 'ready') || p.exitCode !== null, 15000, 'the viewers');
  if (ready === true || !ready.event) throw new Error(`viewers.mjs exited: ${v.stderr || ''}`);
  v.ready = ready;
  v.stop = async () => {
    p.stdin.write('stop\n');
    const s = await waitFor(() => v.msgs.find((m) => m.event === 'summary'), 5000, 'the viewers summary', { soft: true });
    p.kill('SIGKILL');
    await p.exited;
    return s;
  };
  return v;
}

function startSpinner() {
  return spawnTracked(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
}

// ---- Shows ----------------------------------------------------------------------

const cueAt = (i) => 100 + i * CUE_SPACING_MS;
const wsAt = (i) => 200 + i * WS_SPACING_MS;

function cuesShow() {
  const durS = (ms) => `${Math.ceil(ms / 1000) + 5}s`;
  const lat = [];
  for (let i = 0; i < N_CUES; i++) lat.push({ id: `c${i}`, at: `${cueAt(i)}ms`, target: 'rx', osc: { address: '/bench/cue', args: [i] } });
  const ws = [];
  for (let i = 0; i < N_WS; i++) ws.push({ id: `w${i}`, at: `${wsAt(i)}ms`, target: 'wsrx', ws: { bench: i } });
  return {
    format: 'showcaller-rundown/1', title: 'Bench: cue lateness', fps: 25,
    items: [
      { id: 'osc-lateness', title: 'OSC cues', start: 'go', duration: durS(cueAt(N_CUES)), cues: lat },
      { id: 'ws-lateness', title: 'Websocket cues', start: 'go', duration: durS(wsAt(N_WS)), cues: ws },
    ],
  };
}

const httpAt = (i) => 100 + i * HTTP_SPACING_MS;
const mixAt = (i) => 100 + i * MIX_SPACING_MS;
const nMix = () => Math.floor((cueAt(N_CUES - 1) - 100) / MIX_SPACING_MS) + 1; // HTTP cues over the OSC cues' span
const obsAt = (i) => 200 + i * OBS_SPACING_MS;

// The HTTP phase's show: HTTP cues alone, OSC cues alone (receiver indices
// 0..N_CUES-1), the same OSC cues (indices N_CUES..) with 200 HTTP cues a second.
function httpShow() {
  const durS = (ms) => `${Math.ceil(ms / 1000) + 5}s`;
  const http = (id, at, i) => ({ id, at: `${at}ms`, target: 'dev', http: { method: 'GET', path: `/api/?Function=Bench&i=${i}` } });
  const osc = (id, at, i) => ({ id, at: `${at}ms`, target: 'rx', osc: { address: '/bench/cue', args: [i] } });
  const alone = Array.from({ length: N_HTTP }, (_, i) => http(`h${i}`, httpAt(i), i));
  const oscAlone = Array.from({ length: N_CUES }, (_, i) => osc(`c${i}`, cueAt(i), i));
  const mix = [...Array.from({ length: N_CUES }, (_, i) => osc(`m${i}`, cueAt(i), N_CUES + i)),
    ...Array.from({ length: nMix() }, (_, i) => http(`mh${i}`, mixAt(i), N_HTTP + i))].sort((a, b) => parseFloat(a.at) - parseFloat(b.at));
  return {
    format: 'showcaller-rundown/1', title: 'Bench: HTTP cues', fps: 25,
    items: [
      { id: 'http-alone', title: 'HTTP cues', start: 'go', duration: durS(httpAt(N_HTTP)), cues: alone },
      { id: 'osc-alone', title: 'OSC cues', start: 'go', duration: durS(cueAt(N_CUES)), cues: oscAlone },
      { id: 'osc-http', title: 'OSC cues + 200 HTTP cues/s', start: 'go', duration: durS(cueAt(N_CUES)), cues: mix },
    ],
  };
}

function obsShow(scenes) {
  const cues = Array.from({ length: N_OBS }, (_, i) => ({ id: `o${i}`, at: `${obsAt(i)}ms`, target: 'obs',
    obs: { request: 'SetCurrentProgramScene', data: { sceneName: scenes[(i + 1) % scenes.length] } } }));
  return { format: 'showcaller-rundown/1', title: 'Bench: OBS cues', fps: 25,
    items: [{ id: 'obs-cues', title: 'OBS cues', start: 'go', duration: `${Math.ceil(obsAt(N_OBS) / 1000) + 5}s`, cues }] };
}

function goShow() {
  const items = [];
  for (let i = 0; i < N_GO; i++) {
    items.push({ id: `g${i}`, title: `GO ${i}`, start: 'go', duration: '1h',
      cues: [{ id: `g${i}-cue`, at: '0', target: 'rx', osc: { address: '/bench/go', args: [i] } }] });
  }
  return { format: 'showcaller-rundown/1', title: 'Bench: GO to cue', fps: 25, items };
}

// ---- Phases ---------------------------------------------------------------------

// Cue records by cue id, checking each cue was logged once and sent.
function cueRecords(d, records, ids) {
  const byId = new Map();
  for (const r of records) {
    if (r.kind !== 'cue') continue;
    if (byId.has(r.cue)) problems.push(`${d.name}: as-run has more than one record for cue ${r.cue}`);
    byId.set(r.cue, r);
  }
  let notSent = 0, missing = 0;
  for (const id of ids) {
    const r = byId.get(id);
    if (!r) missing++;
    else if (r.outcome !== 'sent') {
      if (notSent++ < 3) problems.push(`${d.name}: cue ${id} logged as ${r.outcome}${r.error ? ` (${r.error})` : ''}`);
    }
  }
  if (missing) problems.push(`${d.name}: ${missing} of ${ids.length} cues have no as-run record`);
  if (notSent > 3) problems.push(`${d.name}: ${notSent} cues in all were not logged as sent`);
  return byId;
}

function lateness(d, what, records, rx, ids, itemId, atMs, base = 0) {
  const byId = cueRecords(d, records, ids);
  const start = records.find((r) => r.kind === 'item_start' && r.item === itemId);
  const startNs = start ? isoNs(start.actual) : null;
  if (startNs === null) problems.push(`${d.name}: no item_start record for ${itemId}`);
  const late = [], send = [];
  let lost = 0, planDiffMax = 0;
  ids.forEach((id, i) => {
    const r = byId.get(id);
    const sched = r ? isoNs(r.scheduled) : null;
    if (sched === null) return;
    if (startNs !== null) planDiffMax = Math.max(planDiffMax, Math.abs(sched - (startNs + atMs(i) * 1e6)));
    if (Number.isInteger(r.lateness_us)) send.push(r.lateness_us * 1e3);
    const at = rx.arrivals.get(base + i);
    if (at === undefined) { lost++; return; }
    late.push(at - sched);
  });
  if (RAW) raw[`${d.name} ${what}`] = ids.map((id, i) => {
    const r = byId.get(id);
    const sched = r ? isoNs(r.scheduled) : null;
    const at = rx.arrivals.get(base + i);
    return [i, sched === null || at === undefined ? null : Math.round(at - sched) / 1e3, r?.lateness_us ?? null];
  });
  if (lost) problems.push(`${d.name}: ${what}: ${lost} of ${ids.length} cues never reached the receiver`);
  if (rx.dups) problems.push(`${d.name}: ${what}: ${rx.dups} cues arrived more than once`);
  if (planDiffMax > 1000) problems.push(`${d.name}: ${what}: as-run "scheduled" differs from the plan (item start + offset) by up to ${(planDiffMax / 1e3).toFixed(1)} µs`);
  return { late: stats(late), send: stats(send), planDiffMaxUs: planDiffMax / 1e3 };
}

// The answers to cues (as-run "answer" records, matched by cue_seq): answer_us
// as a distribution; every cue must have one answer, and it must be "ok".
function answers(d, what, records, ids) {
  const byId = new Map(records.filter((r) => r.kind === 'cue').map((r) => [r.cue, r])); // checked by cueRecords
  const bySeq = new Map();
  for (const r of records) {
    if (r.kind !== 'answer') continue;
    if (bySeq.has(r.cue_seq)) problems.push(`${d.name}: ${what}: cue record ${r.cue_seq} has more than one answer`);
    bySeq.set(r.cue_seq, r);
  }
  const rtt = [], counts = { ok: 0, error: 0, timeout: 0, none: 0 };
  let firstBad = null;
  for (const id of ids) {
    const c = byId.get(id);
    const a = c ? bySeq.get(c.seq) : undefined;
    if (!a) { counts.none++; continue; }
    counts[a.answer] = (counts[a.answer] || 0) + 1;
    if (a.answer !== 'ok') firstBad ||= `${id}: ${a.answer} ${a.answer_detail || ''}`;
    if (a.cue !== id) problems.push(`${d.name}: ${what}: the answer to cue record ${c.seq} names cue ${a.cue}, not ${id}`);
    if (Number.isInteger(a.answer_us)) rtt.push(a.answer_us * 1e3);
  }
  if (counts.none) problems.push(`${d.name}: ${what}: ${counts.none} of ${ids.length} cues have no answer record`);
  if (firstBad) problems.push(`${d.name}: ${what}: ${ids.length - counts.ok - counts.none} answers not "ok", e.g. ${firstBad}`);
  if (RAW) raw[`${d.name} ${what} answer_us`] = ids.map((id) => bySeq.get(byId.get(id)?.seq)?.answer_us ?? null);
  return { rtt: stats(rtt), counts };
}

// Polls the as-run file (every 100 ms, so as not to load the machine) until n
// answer records are there.
async function waitAnswers(d, n, ms) {
  const until = Date.now() + ms;
  while (d.asrun().filter((r) => r.kind === 'answer').length < n && Date.now() < until && d.alive()) await sleep(100);
}

async function runHttp() {
  const rx = await startStampRecv();
  const dev = await startHttpDevice();
  const d = new Daemon('http');
  let devSum = null, cpuAlone = null, cpuMix = null;
  try {
    await d.start({ show: httpShow(), targets: {
      rx: { url: `osc.udp://127.0.0.1:${rx.port}` },
      dev: { url: `http://127.0.0.1:${dev.port}`, timeout: '1s' },
    } });
    await sleep(200);
    // (1) HTTP cues alone.
    await d.api('go');
    await sleep(httpAt(N_HTTP - 1) + 50);
    await waitAnswers(d, N_HTTP, 3000);
    // (2) OSC cues alone, then with 200 HTTP cues a second.
    let ta = threadTicks(d.pid), t0 = performance.now();
    await d.api('go');
    await waitFor(() => rx.count >= N_CUES || !d.alive(), cueAt(N_CUES - 1) + 3000, 'the OSC cues', { soft: true });
    cpuAlone = threadShare(d.pid, ta, threadTicks(d.pid), performance.now() - t0);
    await sleep(50);
    ta = threadTicks(d.pid);
    t0 = performance.now();
    await d.api('go');
    await waitFor(() => rx.count >= 2 * N_CUES || !d.alive(), cueAt(N_CUES - 1) + 3000, 'the OSC cues beside HTTP', { soft: true });
    cpuMix = threadShare(d.pid, ta, threadTicks(d.pid), performance.now() - t0);
    await waitAnswers(d, N_HTTP + nMix(), 3000);
  } finally {
    await d.stop();
    await rx.stop();
    devSum = await dev.stop();
  }
  const records = d.asrun();
  const hIds = Array.from({ length: N_HTTP }, (_, i) => `h${i}`);
  const mhIds = Array.from({ length: nMix() }, (_, i) => `mh${i}`);
  const devRx = { arrivals: devSum.arrivals };
  const alone = { ...lateness(d, 'HTTP cues', records, devRx, hIds, 'http-alone', httpAt), ...answers(d, 'HTTP cues', records, hIds) };
  const oscAlone = lateness(d, 'OSC cues alone', records, rx, Array.from({ length: N_CUES }, (_, i) => `c${i}`), 'osc-alone', cueAt);
  const oscMix = lateness(d, 'OSC cues beside HTTP', records, rx, Array.from({ length: N_CUES }, (_, i) => `m${i}`), 'osc-http', cueAt, N_CUES);
  const mix = { ...lateness(d, 'HTTP cues beside OSC', records, devRx, mhIds, 'osc-http', mixAt, N_HTTP), ...answers(d, 'HTTP cues beside OSC', records, mhIds) };
  if (devSum.dups) problems.push(`${d.name}: the HTTP device got ${devSum.dups} cues more than once`);
  if (devSum.other) notes.push(`${d.name}: the HTTP device got ${devSum.other} requests that were not bench cues`);
  if (rx.other) notes.push(`${d.name}: the OSC receiver got ${rx.other} datagrams that were not bench cues`);
  return { alone, oscAlone, oscMix, mix, dev: devSum, cpuAlone, cpuMix, nMix: nMix() };
}

// The OBS phase, outside: obs-headless.sh runs this file again (BENCH_OBS_INNER=1)
// in its namespace; the result is its "@@bench-obs" line, or why it was skipped.
async function runObs() {
  if (!OBS) return { skipped: 'BENCH_OBS=0' };
  const script = process.env.OBS_HEADLESS || join(ROOT, 'tests/integration/obs/obs-headless.sh');
  if (!existsSync(script)) return { skipped: `${script} not found` };
  try { execFileSync('sh', ['-c', 'command -v obs && command -v xvfb-run && command -v unshare'], { stdio: 'ignore' }); }
  catch { return { skipped: 'obs, xvfb-run or unshare not installed' }; }
  const p = spawnTracked('bash', [script, process.execPath, join(ROOT, 'tests/bench/bench.mjs')], {
    env: { ...process.env, BENCH_OBS_INNER: '1', BENCH_TIME_LIMIT_S: '90', BENCH_RAW: '', OBS_SCENES: 'Scene A,Scene B', OBS_WS_PASSWORD: '' },
  }, { group: true });
  let result = null, stderr = '';
  lines(p.stdout, (l) => { if (l.startsWith('@@bench-obs ')) result = JSON.parse(l.slice(12)); });
  p.stderr.on('data', (b) => { stderr += b; });
  const t0 = performance.now();
  const t = setTimeout(() => { try { process.kill(-p.pid, 'SIGTERM'); } catch { /* gone */ } }, 150000);
  const r = await p.exited;
  clearTimeout(t);
  const tail = stderr.trim().split('\n').slice(-6).join(' | ');
  if (!result && r.code === 2) return { skipped: `OBS did not come up: ${tail}` };
  if (!result) {
    problems.push(`obs: the OBS phase printed no figures (exit ${r.signal || r.code}): ${tail}`);
    return { skipped: 'the OBS phase failed (see PROBLEM)' };
  }
  for (const x of result.problems) problems.push(`obs (in obs-headless.sh): ${x}`);
  for (const x of result.notes) notes.push(`obs (in obs-headless.sh): ${x}`);
  for (const e of result.exits) exits.push(e);
  return { ...result, wallS: (performance.now() - t0) / 1e3 };
}

// The OBS phase, inside obs-headless.sh's namespace (OBS on 127.0.0.1:$OBS_WS_PORT).
async function obsInner() {
  const scenes = (process.env.OBS_SCENES || 'Scene A,Scene B').split(',');
  const d = new Daemon('obs');
  let obsState = null;
  try {
    await d.start({ show: obsShow(scenes), targets: {
      obs: { url: `obs://127.0.0.1:${process.env.OBS_WS_PORT || 4455}`, timeout: '1s',
        ...(process.env.OBS_WS_PASSWORD ? { password: process.env.OBS_WS_PASSWORD } : {}) },
    } });
    await waitFor(async () => ['connected', 'ready'].includes((await d.state()).targets?.find((t) => t.name === 'obs')?.state),
      10000, 'the obs target to connect');
    await sleep(300);
    await d.api('go');
    await sleep(obsAt(N_OBS - 1) + 50);
    await waitAnswers(d, N_OBS, 3000);
    obsState = (await d.state()).targets?.find((t) => t.name === 'obs') || null;
  } finally {
    await d.stop();
  }
  const records = d.asrun();
  const ids = Array.from({ length: N_OBS }, (_, i) => `o${i}`);
  const byId = cueRecords(d, records, ids);
  const send = ids.map((id) => byId.get(id)?.lateness_us).filter(Number.isInteger).map((us) => us * 1e3);
  const a = answers(d, 'OBS cues', records, ids);
  console.log(`@@bench-obs ${JSON.stringify({ send: stats(send), rtt: a.rtt, counts: a.counts, rttState: obsState?.rtt_us ?? null, problems, notes, exits })}`);
  return problems.length ? 1 : 0;
}

async function runCues(cond) {
  const rx = await startStampRecv();
  const wsrx = await startWsReceiver();
  const d = new Daemon(`cues-${cond.key}`);
  let viewers = null, vsum = null, mem = null, cpuOsc = null, cpuWs = null, stateBytes = NaN;
  try {
    await d.start({ show: cuesShow(), realtime: cond.realtime, targets: {
      rx: { url: `osc.udp://127.0.0.1:${rx.port}` },
      wsrx: { url: `ws://127.0.0.1:${wsrx.port}/` },
    } });
    await waitFor(async () => ['connected', 'ready'].includes((await d.state()).targets?.find((t) => t.name === 'wsrx')?.state),
      5000, 'the websocket target to connect');
    stateBytes = (await d.stateText()).length;
    if (cond.busy) viewers = await startViewers(d.wsUrl, N_VIEWERS);
    await sleep(200);

    let ta = threadTicks(d.pid), t0 = performance.now();
    await d.api('go');
    const oscSpan = cueAt(N_CUES - 1) + 3000;
    await waitFor(() => rx.count >= N_CUES || !d.alive(), oscSpan, 'the OSC cues', { soft: true });
    cpuOsc = threadShare(d.pid, ta, threadTicks(d.pid), performance.now() - t0);
    await sleep(20);
    ta = threadTicks(d.pid);
    t0 = performance.now();
    await d.api('go');
    const wsSpan = wsAt(N_WS - 1) + 3000;
    await waitFor(() => wsrx.count >= N_WS || !d.alive(), wsSpan, 'the websocket cues', { soft: true });
    cpuWs = threadShare(d.pid, ta, threadTicks(d.pid), performance.now() - t0);
    await sleep(50);
    mem = rss(d.pid);
    if (viewers) vsum = await viewers.stop();
  } finally {
    if (viewers) viewers.proc.kill('SIGKILL');
    await d.stop();
    await rx.stop();
    await wsrx.close();
  }
  const records = d.asrun();
  const osc = lateness(d, 'OSC cues', records, rx, Array.from({ length: N_CUES }, (_, i) => `c${i}`), 'osc-lateness', cueAt);
  const ws = lateness(d, 'websocket cues', records, wsrx, Array.from({ length: N_WS }, (_, i) => `w${i}`), 'ws-lateness', wsAt);
  if (rx.other) notes.push(`${d.name}: the OSC receiver got ${rx.other} datagrams that were not bench cues`);
  return { osc, ws, viewers: vsum, viewersReady: viewers?.ready, realtime: d.realtime, mem, readyMs: d.readyMs, cpu: cpuOsc, cpuWs, stateBytes };
}

async function runGo(cond) {
  const oscPort = await freeUdpPort();
  const [gapMin, gapMax] = GO_GAP_MS.map((ms) => Math.round(ms * 1000));
  const timeoutMs = 1000;
  const p = spawnTracked(STAMP, ['go', String(oscPort), String(N_GO), String(gapMin), String(gapMax), String(timeoutMs)]);
  const trials = [], refusals = [], stale = [];
  let done = false;
  p.on('line', (l) => {
    const f = l.split(' ');
    if (f[0] === 'G') trials.push({ t: Number(f[1]), idx: Number(f[2]), t0: stampNs(f[3], f[4]), rx: stampNs(f[5], f[6]) });
    else if (f[0] === 'F') refusals.push(l);
    else if (f[0] === 'S') stale.push(l);
    else if (l === 'done') done = true;
  });
  const rxPort = await readPort(p, 'udp_stamp go');
  const d = new Daemon(`go-${cond.key}`);
  let viewers = null, vsum = null, cpuGo = null, stateBytes = NaN;
  try {
    await d.start({ show: goShow(), realtime: cond.realtime, oscPort, targets: { rx: { url: `osc.udp://127.0.0.1:${rxPort}` } } });
    stateBytes = (await d.stateText()).length;
    if (cond.busy) viewers = await startViewers(d.wsUrl, N_VIEWERS);
    await sleep(200);
    const ta = threadTicks(d.pid), t0 = performance.now();
    p.stdin.write('start\n');
    const bound = N_GO * (gapMax / 1000 + 10) + 5000;
    if (!await waitFor(() => done || p.exitCode !== null || !d.alive(), Math.min(bound, 30000), 'the GO trials', { soft: true }))
      problems.push(`${d.name}: the GO trials did not finish in time (${trials.length} of ${N_GO})`);
    cpuGo = threadShare(d.pid, ta, threadTicks(d.pid), performance.now() - t0);
    await sleep(50);
    if (viewers) vsum = await viewers.stop();
  } finally {
    p.kill('SIGTERM');
    if (viewers) viewers.proc.kill('SIGKILL');
    await d.stop();
    await p.exited;
  }
  const lat = [];
  let lost = 0, wrong = 0;
  for (const t of trials) {
    if (t.idx < 0) lost++;
    else if (t.idx !== t.t) wrong++;
    else lat.push(t.rx - t.t0);
  }
  if (RAW) raw[`${d.name} GO`] = trials.map((t) => [t.t, t.idx, t.idx < 0 ? null : Math.round(t.rx - t.t0) / 1e3]);
  if (lost) problems.push(`${d.name}: ${lost} of ${trials.length} GOs brought no cue within ${timeoutMs} ms`);
  if (wrong) problems.push(`${d.name}: ${wrong} GOs brought another item's cue`);
  if (stale.length) notes.push(`${d.name}: ${stale.length} cues arrived after their trial had given up waiting (${timeoutMs} ms)`);
  if (refusals.length) problems.push(`${d.name}: ${refusals.length} GOs refused, e.g. ${refusals[0]}`);
  const records = d.asrun();
  cueRecords(d, records, Array.from({ length: Math.min(trials.length, N_GO) }, (_, i) => `g${i}-cue`));
  const gos = records.filter((r) => r.kind === 'command' && r.cmd === 'go');
  const okGos = gos.filter((r) => r.ok).length;
  if (okGos !== trials.length) problems.push(`${d.name}: ${trials.length} GOs sent, as-run has ${okGos} accepted GO commands (${gos.length} in all)`);
  if (gos.some((r) => r.door !== 'osc')) problems.push(`${d.name}: a GO command is logged with a door other than "osc"`);
  return { go: stats(lat), trials: trials.length, viewers: vsum, viewersReady: viewers?.ready, realtime: d.realtime, cpu: cpuGo, stateBytes };
}

async function runCondition(cond) {
  const spinner = cond.busy && SPIN ? startSpinner() : null;
  try {
    const cues = await runCues(cond);
    const go = await runGo(cond);
    return { ...cond, cues, go };
  } finally {
    if (spinner) { spinner.kill('SIGKILL'); await spinner.exited; }
  }
}

function demoConfigTargets(ports) {
  const demo = JSON.parse(readFileSync(join(ROOT, 'config/demo.json'), 'utf8'));
  const t = {};
  let k = 0;
  for (const [name, target] of Object.entries(demo.targets)) {
    const scheme = /^(\w+(?:\.\w+)?):\/\//.exec(target.url)[1];
    t[name] = { ...target, url: `${scheme}://127.0.0.1:${ports[k++]}${scheme === 'ws' ? '/' : ''}` };
  }
  return t;
}

async function runMemory() {
  // Closed ports: taken free and left unbound.
  const demo = JSON.parse(readFileSync(join(ROOT, 'config/demo.json'), 'utf8'));
  const ports = [];
  for (const target of Object.values(demo.targets)) ports.push(target.url.startsWith('osc.udp') ? await freeUdpPort() : await freePort());
  const targets = demoConfigTargets(ports);
  const showPath = join(ROOT, 'config/evening-news.json');
  const starts = [];
  for (let i = 0; i < N_STARTS; i++) {
    const d = new Daemon(`start-${i + 1}`);
    await d.start({ showPath, targets, goGuard: '500ms' });
    starts.push({ spawn: d.readyMs, own: d.ownReadyMs });
    await d.stop();
  }
  const d = new Daemon('demo-memory');
  await d.start({ showPath, targets, goGuard: '500ms' });
  starts.push({ spawn: d.readyMs, own: d.ownReadyMs });
  let viewers = null, vsum = null;
  const before = rss(d.pid);
  let after, settled;
  try {
    viewers = await startViewers(d.wsUrl, N_VIEWERS);
    await sleep(300);
    after = rss(d.pid);
    await sleep(1200); // a heartbeat push to every viewer
    settled = rss(d.pid);
    vsum = await viewers.stop();
  } finally {
    if (viewers) viewers.proc.kill('SIGKILL');
    await d.stop();
  }
  return { before, after, settled, starts, viewers: vsum, viewersReady: viewers?.ready };
}

// ---- Report ---------------------------------------------------------------------

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const pad = (s, n) => String(s).padStart(n);
const padR = (s, n) => String(s).padEnd(n);

function row(label, s, target = '') {
  return `  ${padR(label, 52)}${pad(s.n, 6)}${pad(f1(s.p50), 11)}${pad(f1(s.p99), 11)}${pad(f1(s.p999), 11)}${pad(f1(s.max), 11)}   ${target}`;
}

function header(title) {
  return `\n${title}\n  ${padR('', 52)}${pad('n', 6)}${pad('p50', 11)}${pad('p99', 11)}${pad('p99.9', 11)}${pad('max', 11)}   target (µs)`;
}

function viewersNote(label, ready, v) {
  if (!v) return `  ${label}: viewers gave no summary`;
  const closed = v.closed_early ? `; ${v.closed_early} closed by the daemon (${Object.entries(v.close_reasons).map(([k, n]) => `${n}× ${k || 'no reason'}`).join(', ')}), ` +
    `the first ${v.closed_at_ms[0]} ms, half by ${v.closed_at_ms[1]} ms, the last ${v.closed_at_ms[2]} ms into the run` : '';
  return `  ${label}: ${ready?.connected ?? '?'} of ${v.viewers} viewers connected, ${v.connected_at_end} at the end; ` +
    `states per viewer min/median/max ${v.states_min}/${v.states_median}/${v.states_max} (daemon's state seq reached ${v.max_seq})${closed}`;
}

async function main() {
  const version = execFileSync(DAEMON, ['--version'], { encoding: 'utf8' }).trim();
  const cpu = cpus();
  console.log(`\nshowcallerd benchmark: ${version}; ${cpu.length} CPUs (${cpu[0]?.model || '?'}); Linux ${release()}; node ${process.version}`);
  console.log(`  ${N_CUES} OSC cues ${CUE_SPACING_MS} ms apart; ${N_GO} GO trials; ${N_WS} websocket cues ${WS_SPACING_MS} ms apart; busy = ${N_VIEWERS} viewers + one spinning core`);
  console.log(`  ${N_HTTP} HTTP cues ${HTTP_SPACING_MS} ms apart; OSC beside HTTP cues ${MIX_SPACING_MS} ms apart; ${OBS ? `${N_OBS} OBS cues ${OBS_SPACING_MS} ms apart` : 'no OBS (BENCH_OBS=0)'}`);
  console.log('  method: the comment at the top of tests/bench/bench.mjs (and the README)');
  const load0 = loadavg().map((x) => x.toFixed(2)).join(' ');

  const conds = [
    { key: 'idle', label: 'idle', busy: false, realtime: false },
    { key: 'busy', label: `${N_VIEWERS} viewers + busy core`, busy: true, realtime: false },
    { key: 'idle-rt', label: 'idle, --realtime', busy: false, realtime: true },
    { key: 'busy-rt', label: `${N_VIEWERS} viewers + busy core, --realtime`, busy: true, realtime: true },
  ];
  const res = [];
  const only = (process.env.BENCH_ONLY || '').split(',').filter(Boolean); // e.g. "idle,busy-rt", "http", "obs"
  const runs = (k) => !only.length || only.includes(k);
  for (const c of conds.filter((x) => runs(x.key))) {
    process.stdout.write(`  running: ${c.label} ...\n`);
    res.push(await runCondition(c));
  }
  let http = null, obs = null, mem = null;
  if (runs('http')) {
    process.stdout.write(`  running: HTTP cues, idle (${N_HTTP} alone; ${N_CUES} OSC cues alone and beside 200 HTTP cues/s) ...\n`);
    http = await runHttp();
  }
  if (runs('obs')) {
    process.stdout.write(OBS ? '  running: OBS cues (real OBS under obs-headless.sh) ...\n' : '');
    obs = await runObs();
  }
  if (runs('memory') || res.length) {
    process.stdout.write('  running: demo show memory and start-up ...\n');
    mem = await runMemory();
  }

  const rtLabel = (r) => (r.realtime ? (r.cues.realtime === 'granted' ? ' [FIFO granted]' : r.cues.realtime === 'off' ? '' : ` [FIFO ${r.cues.realtime}]`) : '');
  const out = [];
  if (res.length) {
  out.push(header('OSC cue lateness at the receiver: kernel receive stamp - as-run "scheduled" (µs)'));
  for (const r of res) out.push(row(`${r.label}${rtLabel(r)}`, r.cues.osc.late, r.key === 'idle' ? 'p50 <= 20, p99 <= 200 (idle)' : ''));
  out.push(header('  the same cues, send side: as-run lateness_us (cue clock -> kernel) (µs)'));
  for (const r of res) out.push(row(`${r.label}`, r.cues.osc.send));
  out.push(header('GO over OSC -> first cue at the receiver: kernel receive stamp - time before sendto (µs)'));
  for (const r of res) out.push(row(`${r.label}${rtLabel(r)}`, r.go.go, r.key === 'idle' ? 'p99 <= 300' : ''));
  out.push(header('Websocket cue lateness at a `ws` receiver: arrival (Node, wall clock) - as-run "scheduled" (µs)'));
  for (const r of res) out.push(row(`${r.label}`, r.cues.ws.late));
  out.push(header('  the same cues, send side: as-run lateness_us (µs)'));
  for (const r of res) out.push(row(`${r.label}`, r.cues.ws.send));
  }

  const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '-');
  if (http) {
    out.push(header(`HTTP cues to a Node \`http\` device (child process, 200 at once), idle: ${N_HTTP} cues ${HTTP_SPACING_MS} ms apart (µs)`));
    out.push(row('send side: as-run lateness_us', http.alone.send));
    out.push(row('answer round trip: answer_us (written -> response)', http.alone.rtt));
    out.push(row('arrival at the device (Node) - "scheduled"', http.alone.late));
    out.push(header(`OSC cue lateness, ${N_CUES} cues ${CUE_SPACING_MS} ms apart, alone and beside ${http.nMix} HTTP cues ${MIX_SPACING_MS} ms apart (µs)`));
    out.push(row('alone: kernel stamp - "scheduled"', http.oscAlone.late));
    out.push(row('beside 200 HTTP cues/s: kernel stamp - "scheduled"', http.oscMix.late));
    out.push(row('  send side, alone', http.oscAlone.send));
    out.push(row('  send side, beside HTTP', http.oscMix.send));
    out.push(row('the HTTP cues of that run: send side (lateness_us)', http.mix.send));
    out.push(row('  their answer round trip (answer_us)', http.mix.rtt));
    out.push(row('  their arrival at the device (Node) - "scheduled"', http.mix.late));
    const cmp = (k) => `${k} ${f1(http.oscAlone.late[k])} -> ${f1(http.oscMix.late[k])}`;
    out.push(`  OSC lateness, alone -> beside HTTP: ${cmp('p50')}, ${cmp('p99')}, ${cmp('max')} µs   target: where it was`);
    out.push(`  answers: alone ${JSON.stringify(http.alone.counts)}, beside OSC ${JSON.stringify(http.mix.counts)}; the device saw ${http.dev.requests} requests on ${http.dev.connections} connection(s)`);
    out.push(`  daemon CPU (share of one core): OSC alone: loop ${pct(http.cpuAlone?.loop.share)}, cue clock ${pct(http.cpuAlone?.clock.share)}; ` +
      `beside HTTP: loop ${pct(http.cpuMix?.loop.share)}, cue clock ${pct(http.cpuMix?.clock.share)}`);
  }
  if (obs?.skipped) out.push(`\nOBS: skipped (${obs.skipped})`);
  else if (obs) {
    out.push(header(`OBS cues (real OBS under obs-headless.sh): ${N_OBS} SetCurrentProgramScene ${OBS_SPACING_MS} ms apart, two scenes (µs)`));
    out.push(row('send side: as-run lateness_us', obs.send));
    out.push(row('answer round trip: answer_us (-> RequestResponse)', obs.rtt));
    out.push(`  answers ${JSON.stringify(obs.counts)}; the daemon's own rtt_us in the state: ${JSON.stringify(obs.rttState)}; the phase took ${f1(obs.wallS)} s with OBS's start and stop`);
  }

  const mib = (kb) => (Number.isFinite(kb) ? (kb / 1024).toFixed(1) : '-');
  if (mem) {
  out.push('\nMemory, demo show (config/evening-news.json, targets on closed loopback ports)');
  out.push(`  VmRSS at start ${mib(mem.before.rss)} MiB; with ${mem.viewersReady?.connected ?? '?'} viewers ${mib(mem.after.rss)} MiB, ` +
    `after a heartbeat ${mib(mem.settled.rss)} MiB; VmHWM ${mib(mem.settled.hwm)} MiB   target: RSS <= 16 MiB`);
  out.push(`  for comparison, VmRSS at the end of the cue runs: ${res.map((r) => `${r.key} ${mib(r.cues.mem?.rss)}`).join(', ')} MiB (${N_CUES + N_WS}-cue show)`);
  const sp = stats(mem.starts.map((s) => s.spawn * 1e6)), own = stats(mem.starts.map((s) => s.own * 1e6));
  out.push(`\nStart to ready, demo show, ${mem.starts.length} starts: spawn -> "showcallerd is running" p50 ${(sp.p50 / 1e3).toFixed(1)} ms, max ${(sp.max / 1e3).toFixed(1)} ms; ` +
    `daemon's "ready in" p50 ${(own.p50 / 1e3).toFixed(1)} ms, max ${(own.max / 1e3).toFixed(1)} ms`);
  }

  out.push('\nLoad and checks');
  out.push(`  machine load average (1/5/15 min) before the bench: ${load0}; after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (res.length) out.push(`  state message size (GET /api/state): cue show ${res[0].cues.stateBytes} bytes, ${N_GO}-item GO show ${res[0].go.stateBytes} bytes`);
  for (const r of res.filter((x) => x.busy)) {
    out.push(viewersNote(`${r.key}, cue run`, r.cues.viewersReady, r.cues.viewers));
    out.push(viewersNote(`${r.key}, GO run (${N_GO}-item state)`, r.go.viewersReady, r.go.viewers));
  }
  if (mem) out.push(viewersNote('demo memory', mem.viewersReady, mem.viewers));
  for (const r of res) {
    out.push(`  ${r.key}: daemon CPU (share of one core): OSC cues: loop ${pct(r.cues.cpu?.loop.share)}, cue clock ${pct(r.cues.cpu?.clock.share)}; ` +
      `websocket cues: loop ${pct(r.cues.cpuWs?.loop.share)}; GO trials: loop ${pct(r.go.cpu?.loop.share)} (${f1(r.go.cpu?.loop.cpuMs / Math.max(1, r.go.trials))} ms of CPU per GO)`);
  }
  for (const r of res.filter((x) => x.realtime)) out.push(`  ${r.key}: SCHED_FIFO ${r.cues.realtime} (cue run), ${r.go.realtime} (GO run)`);
  out.push(`  as-run "scheduled" vs plan (item start + offset), worst: ${[...res.map((r) => `${r.key} ${f1(Math.max(r.cues.osc.planDiffMaxUs, r.cues.ws.planDiffMaxUs))} µs`),
    ...(http ? [`http ${f1(Math.max(http.alone.planDiffMaxUs, http.oscAlone.planDiffMaxUs, http.oscMix.planDiffMaxUs, http.mix.planDiffMaxUs))} µs`] : [])].join(', ')}`);
  const clean = exits.filter((e) => e.clean).length;
  out.push(`  daemon stops: ${clean} of ${exits.length} exited 0 on SIGTERM`);
  for (const n of notes) out.push(`  note: ${n}`);
  for (const p of problems) out.push(`  PROBLEM: ${p}`);
  out.push(problems.length ? `\nbench: ${problems.length} problem(s) above; figures are printed, not asserted.` : '\nbench: every cue arrived once and was logged; figures are printed, not asserted.');
  console.log(out.join('\n'));
  if (RAW) { writeFileSync(RAW, JSON.stringify(raw)); console.log(`raw samples (µs) in ${RAW}`); }
  return problems.length ? 1 : 0;
}

(OBS_INNER ? obsInner() : main()).then((code) => {
  finished = true;
  clearTimeout(watchdog);
  cleanup();
  process.exit(code);
}, (e) => abort(e.stack || String(e)));
