// showcallerd's soak test: `make soak` runs this. A compressed long show
// against the real binary, looking for leaks and for cues lost, doubled or
// late after thousands of cues and connections.
//
// WHAT RUNS. build/showcallerd on 127.0.0.1 with a generated config and a
// generated rundown (in a temporary directory, removed at the end):
// - A lead-in GO item (1 s), then follow items of SOAK_ITEM_MS (2000) each,
//   one after another without GO, filling SOAK_SECONDS (450) of show, then a
//   short tail item without cues. One OSC/UDP cue every SOAK_SPACING_MS (40)
//   on one global grid across the items (11,100 cues with the defaults), each
//   carrying its global index as its first int32 argument. The grid is written
//   in every form a cue time can take, in turn: from the item's start, from
//   its end ("end-X"), as the next item's pre-roll ("-X", fired during this
//   item) and as the previous item's "end+X" (fired after it ended), so every
//   cue-time path is exercised while each cue's time stays known.
// - The OSC cues go to tests/bench/udp_stamp.c (`udp_stamp recv`, as in
//   tests/bench/bench.mjs), which takes the kernel's receive time of every
//   datagram (SO_TIMESTAMPNS, CLOCK_REALTIME). Lateness = that stamp minus the
//   cue's "scheduled" time in the daemon's as-run log (ISO 8601 UTC, µs); the
//   scheduled times are also checked against the plan (the first follow
//   item's actual start plus the cue's place on the grid), and every follow
//   item's actual start against its planned start.
// - A dead websocket target: ws://127.0.0.1:PORT/ where PORT was free and is
//   left unbound, with two cues in every item, so for the whole show the
//   daemon keeps failing to connect, retrying, and logging its cues "failed".
// - tests/soak/churn.mjs keeps SOAK_VIEWERS (200) websocket viewers on /ws,
//   each staying a random SOAK_STAY_S ("1-20") seconds, then leaving (half
//   with a clean close, half by destroying the socket) and replaced at once;
//   each reads every state push and pings every 3 s.
//
// WHAT IS MEASURED. The daemon's VmRSS (/proc/PID/status) and its open file
// descriptors (/proc/PID/fd), split into viewer connections (sockets on the
// HTTP port, found through /proc/PID/net/tcp) and everything else: once the
// show has begun and the first viewers are on, after SOAK_WARMUP_S (30) of
// show (the baseline), every SOAK_SAMPLE_S (30) s, at the end with the viewers
// still on, and once more after the last viewer has left. Then the cues
// expected, received, duplicated and missing; lateness p50/p90/p99/p99.9/max
// at the receiver (and per minute of show, so drift over time shows); as-run
// `cue` outcomes per target; the viewers' counters.
//
// VERDICT (exit status 1 if any fails; the figures are printed either way):
// every OSC cue arrived exactly once; every cue has exactly one as-run record;
// RSS at the end is at most SOAK_RSS_TOL_KIB (2048) above the baseline plus
// what the as-run log's in-memory copy adds by design (estimated below). The
// allowance is for the heap, not a leak: measured apart, 200 churning viewers
// without cues kept RSS flat (+0.1 MiB over 1,700 connections) and cues with
// one viewer grew less than the estimate, but together the retained as-run
// lines interleave with the viewers' transient buffers and a full run ends
// 0.5-1.1 MiB above the estimate. A leak grows on past it; fds
// other than viewer connections are the baseline's ± SOAK_FD_TOL (5); after
// the last viewer left, the daemon holds no viewer socket; the daemon did not
// die and exited 0 on SIGTERM. Lateness is printed, not asserted (the machine
// is shared); a scheduled time off the plan by more than 1 ms is a failure.
//
// Knobs (environment): SOAK_SECONDS, SOAK_SPACING_MS, SOAK_ITEM_MS,
// SOAK_VIEWERS, SOAK_STAY_S ("MIN-MAX"), SOAK_WARMUP_S (default 30, or a
// quarter of SOAK_SECONDS if that is less), SOAK_SAMPLE_S, SOAK_RSS_TOL_KIB,
// SOAK_FD_TOL, SOAK_REALTIME=1 (run the daemon with --realtime),
// SOAK_KEEP=1 (keep the temporary directory: config, rundown, as-run log).
// SHOWCALLERD and UDP_STAMP name the binaries (the Makefile sets them).
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, existsSync, rmSync, mkdtempSync, copyFileSync, chmodSync } from 'node:fs';
import { loadavg, cpus, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import http from 'node:http';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const DAEMON = resolve(process.env.SHOWCALLERD || join(ROOT, 'build/showcallerd'));
const STAMP = process.env.UDP_STAMP || join(ROOT, 'build/udp_stamp');
// The soak runs a private copy of the binary under another name: this machine
// is shared, and another job's `pkill showcallerd` must not end an 8-minute run.
const BIN_DIR = mkdtempSync(join(tmpdir(), 'showcaller-soak-bin-'));
const BIN = join(BIN_DIR, 'scd-soak');
copyFileSync(DAEMON, BIN);
chmodSync(BIN, 0o755);
process.env.SHOWCALLERD = BIN;
// The integration tests' harness (it reads SHOWCALLERD when loaded).
const { Daemon, freePort, sleep, waitFor } = await import('../integration/lib/daemon.mjs');
const env = (k, d) => (process.env[k] !== undefined && process.env[k] !== '' ? Number(process.env[k]) : d);
const SECONDS = env('SOAK_SECONDS', 450);
const SPACING_MS = env('SOAK_SPACING_MS', 40);
const ITEM_MS = env('SOAK_ITEM_MS', 2000);
const VIEWERS = env('SOAK_VIEWERS', 200);
const [STAY_MIN, STAY_MAX] = (process.env.SOAK_STAY_S || '1-20').split('-').map(Number);
const WARMUP_S = env('SOAK_WARMUP_S', Math.min(30, Math.floor(SECONDS / 4)));
const SAMPLE_S = env('SOAK_SAMPLE_S', 30);
const RSS_TOL_KIB = env('SOAK_RSS_TOL_KIB', 2048);
const FD_TOL = env('SOAK_FD_TOL', 5);
const REALTIME = env('SOAK_REALTIME', 0) === 1;
const KEEP = env('SOAK_KEEP', 0) === 1;
const LEAD_MS = 1000; // the lead-in GO item: the first follow item starts this long after GO
const TAIL_MS = 5000; // an item without cues after the last one, so the end sample is mid-show
const PREROLL_MAX_MS = 500; // pre-roll and end+ forms are used only this close to an item boundary
if (ITEM_MS % SPACING_MS) throw new Error('SOAK_ITEM_MS must be a multiple of SOAK_SPACING_MS');
const N_ITEMS = Math.floor((SECONDS * 1000 - LEAD_MS - TAIL_MS) / ITEM_MS);
const PER_ITEM = ITEM_MS / SPACING_MS;
const N_CUES = N_ITEMS * PER_ITEM;
const N_DEAD = N_ITEMS * 2;
if (N_ITEMS < 2) throw new Error('SOAK_SECONDS is too short for one item');

// ---- Processes and clean-up -----------------------------------------------------

const children = new Set();
let daemon = null;
let finished = false;

function spawnTracked(cmd, args) {
  const p = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(p);
  p.exited = new Promise((res) => p.on('exit', (code, signal) => { children.delete(p); res({ code, signal }); }));
  p.on('error', () => {});
  for (const s of [p.stdin, p.stdout, p.stderr]) s.on('error', () => {});
  return p;
}

function cleanup() {
  for (const p of children) { try { p.kill('SIGKILL'); } catch { /* gone */ } }
  children.clear();
  if (daemon?.proc && daemon.proc.exitCode === null && daemon.proc.signalCode === null) daemon.proc.kill('SIGKILL');
  if (daemon && !KEEP) daemon.cleanup();
  rmSync(BIN_DIR, { recursive: true, force: true });
}

function abort(why) {
  if (finished) return;
  finished = true;
  process.stderr.write(`\nsoak: ABORTED: ${why}\n`);
  if (daemon?.stderr) process.stderr.write(`daemon stderr, last lines:\n${daemon.stderr.split('\n').slice(-10).join('\n')}\n`);
  cleanup();
  process.exit(1);
}
process.on('SIGINT', () => abort('interrupted'));
process.on('SIGTERM', () => abort('terminated'));
process.on('uncaughtException', (e) => abort(e.stack || String(e)));
process.on('unhandledRejection', (e) => abort(e?.stack || String(e)));
process.on('exit', cleanup);
const LIMIT_S = SECONDS + WARMUP_S + 180;
setTimeout(() => abort(`time limit of ${LIMIT_S} s reached`), LIMIT_S * 1000).unref();

// ---- The show ---------------------------------------------------------------------

// Cue g leaves at streamStart + g * SPACING_MS; streamStart is the first follow item's start.
function show() {
  const items = [{ id: 'lead-in', title: 'Lead-in', start: 'go', duration: `${LEAD_MS}ms`, cues: [] }];
  for (let i = 0; i < N_ITEMS; i++) items.push({ id: `i${i}`, title: `Item ${i}`, start: 'follow', duration: `${ITEM_MS}ms`, cues: [] });
  items.push({ id: 'tail', title: 'Tail', start: 'follow', duration: `${TAIL_MS}ms` });
  const cuesOf = (i) => items[i + 1].cues; // stream item i is items[i + 1]
  for (let g = 0; g < N_CUES; g++) {
    const i = Math.floor(g / PER_ITEM);
    const off = (g % PER_ITEM) * SPACING_MS;
    const cue = { id: `c${g}`, target: 'rx', osc: { address: '/soak/cue', args: [g] } };
    const form = g % 4;
    if (form === 2 && i + 1 < N_ITEMS && ITEM_MS - off <= PREROLL_MAX_MS) {
      cuesOf(i + 1).push({ ...cue, at: `-${ITEM_MS - off}ms` }); // the next item's pre-roll
    } else if (form === 3 && i > 0 && off <= PREROLL_MAX_MS) {
      cuesOf(i - 1).push({ ...cue, at: `end+${off}ms` }); // after the previous item's end
    } else if (form === 1 || form === 3) {
      cuesOf(i).push({ ...cue, at: `end-${ITEM_MS - off}ms` });
    } else {
      cuesOf(i).push({ ...cue, at: `${off}ms` });
    }
  }
  // The dead target: two cues per item, between grid slots.
  for (let i = 0; i < N_ITEMS; i++) {
    for (const k of [0, 1]) {
      const at = Math.floor((ITEM_MS / 4 + (k * ITEM_MS) / 2) / SPACING_MS) * SPACING_MS + Math.floor(SPACING_MS / 2);
      cuesOf(i).push({ id: `d${2 * i + k}`, at: `${at}ms`, target: 'dead', ws: { soak: 2 * i + k } });
    }
  }
  return { format: 'showcaller-rundown/1', title: 'Soak', fps: 25, items };
}
const cueMs = (g) => LEAD_MS + g * SPACING_MS; // after the GO's item start

// ---- /proc --------------------------------------------------------------------------

const CLK_TCK = 100; // Linux's USER_HZ on every architecture we build for

// RSS, fds split into viewer connections and the rest, and CPU ticks.
function probe(pid, httpPort) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s) || [])[1]);
  const threads = Number((/^Threads:\s+(\d+)/m.exec(s) || [])[1]);
  const sockets = new Set();
  let fds = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let l;
    try { l = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; } // closed meanwhile
    fds++;
    const m = /^socket:\[(\d+)\]$/.exec(l);
    if (m) sockets.add(m[1]);
  }
  // Established (not listening) TCP sockets whose local port is the HTTP port.
  let viewerFds = 0;
  const hexPort = httpPort.toString(16).toUpperCase().padStart(4, '0');
  for (const f of ['tcp', 'tcp6']) {
    let text = '';
    try { text = readFileSync(`/proc/${pid}/net/${f}`, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length < 10 || c[3] === '0A') continue;
      if (c[1].endsWith(`:${hexPort}`) && sockets.has(c[9])) viewerFds++;
    }
  }
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), fds, viewerFds, otherFds: fds - viewerFds, threads,
    ticks: cpuTicks(pid), at: performance.now() };
}

// User + system CPU ticks of a process, all threads.
function cpuTicks(pid) {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' '); // f[0] is field 3
    return Number(f[11]) + Number(f[12]);
  } catch { return NaN; }
}

// One HTTP request on its own connection ("Connection: close"), so that no
// keep-alive socket of ours is counted among the daemon's viewer sockets.
function httpJson(port, method, path, body) {
  return new Promise((res, rej) => {
    const data = body === undefined ? '' : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, timeout: 5000,
      headers: { connection: 'close', 'content-type': 'application/json', 'content-length': Buffer.byteLength(data),
        authorization: `Bearer ${daemon.token}` } }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c) => { text += c; });
      r.on('end', () => { try { res(JSON.parse(text)); } catch (e) { rej(e); } });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 5 s`)));
    req.on('error', rej);
    req.end(data);
  });
}

// ---- Peers --------------------------------------------------------------------------

function lines(stream, fn) { createInterface({ input: stream, crlfDelay: Infinity }).on('line', fn); }

async function startReceiver() {
  const p = spawnTracked(STAMP, ['recv']);
  const r = { proc: p, arrivals: new Map(), dups: 0, dupIds: [], other: 0, count: 0, port: 0 };
  lines(p.stdout, (l) => {
    const f = l.split(' ');
    if (f[0] === 'R') {
      const g = Number(f[1]);
      const ns = BigInt(f[2]) * 1000000000n + BigInt(f[3]);
      if (r.arrivals.has(g)) { r.dups++; if (r.dupIds.length < 5) r.dupIds.push(g); } else { r.arrivals.set(g, ns); r.count++; }
    } else if (f[0] === 'X') r.other++;
    else if (f[0] === 'port') r.port = Number(f[1]);
  });
  await waitFor(() => r.port || p.exitCode !== null, 5000, 'udp_stamp to print its port');
  if (!r.port) throw new Error(`udp_stamp recv did not start (${STAMP}; run through \`make soak\`)`);
  r.stop = async () => { p.stdin.end(); p.kill('SIGTERM'); await p.exited; };
  return r;
}

function startChurn(url) {
  const p = spawnTracked(process.execPath, [join(ROOT, 'tests/soak/churn.mjs'), url, String(VIEWERS), String(STAY_MIN), String(STAY_MAX)]);
  const c = { proc: p, msgs: [], stderr: '' };
  lines(p.stdout, (l) => { try { c.msgs.push(JSON.parse(l)); } catch { /* not ours */ } });
  p.stderr.on('data', (b) => { c.stderr += b; });
  const next = async (event, ms) => {
    const from = c.msgs.length;
    return waitFor(() => c.msgs.slice(from).find((m) => m.event === event) || (p.exitCode !== null && { event: 'exited' }),
      ms, `churn.mjs "${event}"`);
  };
  c.ready = () => waitFor(() => c.msgs.find((m) => m.event === 'ready') || (p.exitCode !== null && { event: 'exited' }), 20000, 'the viewers');
  c.stats = async () => { p.stdin.write('stats\n'); return next('stats', 5000); };
  c.stop = async () => { p.stdin.write('stop\n'); const s = await next('summary', 5000); await p.exited; return s; };
  return c;
}

// ---- Figures ------------------------------------------------------------------------

// "2026-11-27T17:00:00.000123Z" -> ns since the epoch (BigInt), or null.
function isoNs(s) {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(s || '');
  if (!m) return null;
  return BigInt(Date.parse(`${m[1]}Z`)) * 1000000n + BigInt((m[2] || '').padEnd(9, '0'));
}

// Nearest-rank percentiles of ns values, in µs.
function stats(ns) {
  const a = Float64Array.from(ns).sort();
  const n = a.length;
  const q = (p) => (n ? a[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] / 1e3 : NaN);
  return { n, p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: n ? a[n - 1] / 1e3 : NaN };
}

const us = (x) => (!Number.isFinite(x) ? '-' : Math.abs(x) >= 10000 ? `${(x / 1000).toFixed(1)} ms` : `${x.toFixed(1)} µs`);
const mib = (kb) => (kb / 1024).toFixed(2);
const pad = (s, n) => String(s).padStart(n);

function readAsrun(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((x) => /^asrun-.*\.jsonl$/.test(x)).sort()) {
    for (const l of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!l) continue;
      try { out.push(JSON.parse(l)); } catch { out.push({ kind: 'unparsable', line: l.slice(0, 120) }); }
    }
  }
  return out;
}

// What the daemon's in-memory copy of the as-run log should take: it keeps the
// newest ASRUN_MEMORY_MAX records (SC_ASRUN_MEMORY_MAX in daemon/journal/asrun.h) as
// exact-size strings (the line without its newline, plus a NUL) in a ring of
// pointers that doubles from 64 slots. Heap chunks as glibc sizes them on
// 64-bit: request + 8, rounded up to 16, at least 32. This is growth by design,
// so the verdict subtracts it from the RSS growth.
const ASRUN_MEMORY_MAX = 200000;
const chunk = (n) => Math.max(32, (n + 8 + 15) & ~15);
function asrunFootprint(dir) {
  const lens = [];
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).filter((x) => /^asrun-.*\.jsonl$/.test(x)).sort()) {
      const text = readFileSync(join(dir, f), 'latin1');
      for (let i = 0, j; (j = text.indexOf('\n', i)) >= 0; i = j + 1) lens.push(j - i);
    }
  }
  const kept = lens.slice(-ASRUN_MEMORY_MAX);
  let ring = 64;
  while (ring < kept.length) ring *= 2;
  ring = Math.min(ring, ASRUN_MEMORY_MAX);
  const bytes = kept.reduce((a, n) => a + chunk(n + 1), 0) + chunk(ring * 8);
  return { records: kept.length, kib: Math.round(bytes / 1024) };
}

// ---- The run --------------------------------------------------------------------------

async function main() {
  const failures = [];
  const notes = [];
  const cpu = cpus();
  console.log(`showcaller soak: ${SECONDS} s of show, ${N_ITEMS} follow items of ${ITEM_MS} ms, ` +
    `${N_CUES} OSC/UDP cues ${SPACING_MS} ms apart, ${N_DEAD} cues to a dead websocket target, ` +
    `${VIEWERS} viewers staying ${STAY_MIN}-${STAY_MAX} s${REALTIME ? ', --realtime' : ''}`);
  console.log(`  ${cpu.length} CPUs (${cpu[0]?.model || '?'}), Linux ${release()}, node ${process.version}; ` +
    `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; method: the comment at the top of tests/soak/soak.mjs`);

  const rx = await startReceiver();
  const deadPort = await freePort(); // free now and never bound: nothing listens there
  daemon = new Daemon({
    show: show(),
    targets: { rx: { url: `osc.udp://127.0.0.1:${rx.port}` }, dead: { url: `ws://127.0.0.1:${deadPort}/` } },
    config: { go_guard: '0' },
    args: REALTIME ? ['--realtime'] : [],
  });
  await daemon.start();
  const pid = daemon.proc.pid;
  const alive = () => daemon.proc.exitCode === null && daemon.proc.signalCode === null;
  const version = execFileSync(DAEMON, ['--version'], { encoding: 'utf8' }).trim();
  const rt = /cue clock: SCHED_FIFO ([^\n]*)/.exec(daemon.stderr)?.[1];
  console.log(`  daemon pid ${pid}${version ? ` (${version})` : ''}, http 127.0.0.1:${daemon.http}, ` +
    `binary ${DAEMON} (run as a copy, ${BIN}), receiver udp 127.0.0.1:${rx.port}, dead target ws://127.0.0.1:${deadPort}/${REALTIME ? `; SCHED_FIFO ${rt || 'not logged'}` : ''}`);
  const before = probe(pid, daemon.http);

  const go = await httpJson(daemon.http, 'POST', '/api/go', {});
  if (!go.ok) throw new Error(`GO refused: ${JSON.stringify(go)}`);
  const t0 = performance.now();
  const churn = startChurn(daemon.wsUrl);
  const ready = await churn.ready();
  if (ready.event === 'exited') throw new Error(`churn.mjs exited: ${churn.stderr}`);
  const showS = () => (performance.now() - t0) / 1000;

  // One sample: /proc, the viewers' counters, the dead target's state.
  const samples = [];
  let last = null;
  async function sample(label) {
    if (!alive()) return null;
    const p = probe(pid, daemon.http);
    const v = churn.proc.exitCode === null ? await churn.stats() : null;
    let dead = null;
    try { dead = (await httpJson(daemon.http, 'GET', '/api/state'))?.targets?.find((t) => t.name === 'dead'); } catch { /* busy; shown as ? */ }
    const share = (d) => ((d / CLK_TCK) * 1000 * 100) / (p.at - last.at);
    const churnTicks = cpuTicks(churn.proc.pid);
    const cpuPct = share(p.ticks - last.ticks), churnPct = share(churnTicks - (last.churnTicks || 0));
    last = { ...p, churnTicks };
    const asrun = asrunFootprint(daemon.config.data_dir);
    const s = { label, t: showS(), ...p, cpuPct, viewersOpen: v?.open_now, connections: v?.opened, cues: rx.count, asrun };
    samples.push(s);
    console.log(`  ${label.padEnd(13)} t=${pad(s.t.toFixed(0), 3)} s  RSS ${mib(p.rss)} MiB (as-run in memory ${pad(asrun.records, 5)} records ~${mib(asrun.kib)} MiB)  fds ${pad(p.fds, 3)} ` +
      `(${pad(p.viewerFds, 3)} viewers + ${pad(p.otherFds, 2)} other)  viewers open ${pad(v?.open_now ?? '-', 3)}  ` +
      `connections so far ${pad(v?.opened ?? '-', 5)}  cues received ${pad(rx.count, 5)}  ` +
      `CPU ${cpuPct.toFixed(0)}% (viewers ${churnPct.toFixed(0)}%)  dead target ${dead ? `${dead.state}, ${dead.failed} failed` : '?'}`);
    return s;
  }

  console.log('\nsamples (RSS = VmRSS; fds = /proc/PID/fd; CPU = share of one core since the last sample: the daemon, and churn.mjs in brackets)');
  console.log(`  before GO     t=  0 s  RSS ${mib(before.rss)} MiB  fds ${pad(before.fds, 3)} (no viewers yet)`);
  last = before; // the first interval's CPU counts from before GO
  await sample('start');
  const endAt = cueMs(N_CUES - 1) / 1000 + 1.5; // the last cue plus time for its report
  const times = [...new Set([WARMUP_S, ...Array.from({ length: Math.ceil(endAt / SAMPLE_S) }, (_, k) => (k + 1) * SAMPLE_S)])]
    .filter((x) => x > showS() && x < endAt - 2).sort((a, b) => a - b);
  let baseline = null;
  for (const at of times) {
    while (showS() < at && alive()) await sleep(Math.min(250, (at - showS()) * 1000));
    const s = await sample(at === WARMUP_S ? 'after warm-up' : 'running');
    if (at === WARMUP_S) baseline = s;
    if (!alive()) break;
  }
  while (showS() < endAt && alive() && rx.count < N_CUES) await sleep(100);
  await sleep(500);
  const end = await sample('end');
  if (!baseline) { baseline = samples[0]; notes.push('the show was shorter than the warm-up: the baseline is the start sample'); }

  // The viewers leave; the daemon should let go of every session.
  const vsum = await churn.stop();
  await sleep(2000);
  const idle = alive() ? probe(pid, daemon.http) : null;
  let clientsAfter = null;
  try { clientsAfter = (await httpJson(daemon.http, 'GET', '/api/state'))?.clients; } catch { /* reported below */ }
  if (idle) {
    console.log(`  viewers gone  t=${pad(showS().toFixed(0), 3)} s  RSS ${mib(idle.rss)} MiB  fds ${pad(idle.fds, 3)} ` +
      `(${pad(idle.viewerFds, 3)} viewers + ${pad(idle.otherFds, 2)} other)  daemon's "clients" ${clientsAfter ?? '?'}  VmHWM ${mib(idle.hwm)} MiB  threads ${idle.threads}`);
  }

  const diedDuringShow = !alive();
  const exit = await daemon.stop();
  await rx.stop();
  if (diedDuringShow) failures.push(`the daemon died during the show (${exit.signal || `exit ${exit.code}`}); stderr tail:\n${daemon.stderr.split('\n').slice(-8).join('\n')}`);
  else if (exit.code !== 0) failures.push(`the daemon did not exit 0 on SIGTERM (${exit.signal || `exit ${exit.code}`}); stderr tail:\n${daemon.stderr.split('\n').slice(-8).join('\n')}`);

  // ---- Cues at the receiver against the as-run log ----
  const records = readAsrun(daemon.config.data_dir);
  const unparsable = records.filter((r) => r.kind === 'unparsable');
  if (unparsable.length) failures.push(`${unparsable.length} as-run lines are not JSON, e.g. ${unparsable[0].line}`);
  const cueRecs = new Map();
  const outcomes = { rx: {}, dead: {} };
  const whyFailed = { rx: {}, dead: {} }; // "error" of the failed ones
  let dupRecords = 0;
  for (const r of records) {
    if (r.kind !== 'cue') continue;
    const o = outcomes[r.target] || (outcomes[r.target] = {});
    o[r.outcome] = (o[r.outcome] || 0) + 1;
    if (r.outcome === 'failed') {
      const w = whyFailed[r.target] || (whyFailed[r.target] = {});
      w[r.error] = (w[r.error] || 0) + 1;
    }
    if (cueRecs.has(r.cue)) dupRecords++;
    else cueRecs.set(r.cue, r);
  }
  const starts = new Map(records.filter((r) => r.kind === 'item_start').map((r) => [r.item, r]));
  const streamStart = isoNs(starts.get('i0')?.actual);
  if (streamStart === null) failures.push('no item_start record for the first follow item (i0)');

  // Follow items must start exactly at their planned start.
  let followOff = 0n, followMissing = 0;
  for (let i = 0; i < N_ITEMS; i++) {
    const a = isoNs(starts.get(`i${i}`)?.actual);
    if (a === null) { followMissing++; continue; }
    if (streamStart !== null) {
      const d = a - (streamStart + BigInt(i * ITEM_MS) * 1000000n);
      if ((d < 0n ? -d : d) > followOff) followOff = d < 0n ? -d : d;
    }
  }
  if (followMissing) failures.push(`${followMissing} of ${N_ITEMS} follow items have no item_start record`);

  const late = [], send = [], perMin = [];
  let noRecord = 0, notSent = 0, planOff = 0n;
  for (let g = 0; g < N_CUES; g++) {
    const r = cueRecs.get(`c${g}`);
    if (!r) { noRecord++; continue; }
    if (r.outcome !== 'sent') notSent++;
    const sched = isoNs(r.scheduled);
    if (sched === null) continue;
    if (streamStart !== null) {
      const d = sched - (streamStart + BigInt(g * SPACING_MS) * 1000000n);
      if ((d < 0n ? -d : d) > planOff) planOff = d < 0n ? -d : d;
    }
    if (Number.isInteger(r.lateness_us)) send.push(r.lateness_us * 1e3);
    const at = rx.arrivals.get(g);
    if (at === undefined) continue;
    const ns = Number(at - sched);
    late.push(ns);
    const m = Math.floor(cueMs(g) / 60000);
    (perMin[m] || (perMin[m] = [])).push(ns);
  }
  let missingIds = [];
  for (let g = 0; g < N_CUES && missingIds.length < 5; g++) if (!rx.arrivals.has(g)) missingIds.push(g);
  const received = [...rx.arrivals.keys()].filter((g) => g >= 0 && g < N_CUES).length;
  const missing = N_CUES - received;
  const deadRecs = Array.from({ length: N_DEAD }, (_, k) => cueRecs.get(`d${k}`)).filter(Boolean).length;

  const out = [];
  out.push(`\ncues: ${N_CUES} expected, ${received} received, ${rx.dups} duplicates, ${missing} missing` +
    (missingIds.length ? ` (first: ${missingIds.map((g) => `c${g}`).join(', ')})` : '') +
    (rx.dupIds.length ? `; duplicated: ${rx.dupIds.map((g) => `c${g}`).join(', ')}` : '') +
    (rx.other ? `; ${rx.other} other datagrams` : ''));
  const L = stats(late), S = stats(send);
  out.push(`lateness at the receiver (kernel receive stamp - as-run "scheduled"), ${L.n} cues: ` +
    `p50 ${us(L.p50)}, p90 ${us(L.p90)}, p99 ${us(L.p99)}, p99.9 ${us(L.p999)}, max ${us(L.max)}`);
  out.push(`  send side (as-run lateness_us): p50 ${us(S.p50)}, p90 ${us(S.p90)}, p99 ${us(S.p99)}, p99.9 ${us(S.p999)}, max ${us(S.max)}`);
  out.push(`  per minute of show, p50 / p99 / max: ${perMin.map((a, m) => { const s = stats(a); return `[${m}] ${us(s.p50)} / ${us(s.p99)} / ${us(s.max)}`; }).join('  ')}`);
  out.push(`  as-run "scheduled" vs plan, worst: ${us(Number(planOff) / 1e3)}; follow items' actual start vs plan, worst: ${us(Number(followOff) / 1e3)}`);
  const fmtOut = (o) => ['sent', 'failed', 'missed', 'skipped'].map((k) => `${o[k] || 0} ${k}`).join(', ') +
    Object.keys(o).filter((k) => !['sent', 'failed', 'missed', 'skipped'].includes(k)).map((k) => `, ${o[k]} ${k}`).join('');
  const fmtWhy = (w) => (Object.keys(w).length ? ` (${Object.entries(w).map(([k, n]) => `${n}× ${k}`).join(', ')})` : '');
  out.push(`as-run cue outcomes: OSC/UDP target "rx" (${N_CUES} cues): ${fmtOut(outcomes.rx)}${fmtWhy(whyFailed.rx)}`);
  out.push(`                     dead ws target "dead" (${N_DEAD} cues): ${fmtOut(outcomes.dead)}${fmtWhy(whyFailed.dead)}`);
  if (noRecord) failures.push(`${noRecord} OSC cues have no as-run record`);
  if (deadRecs < N_DEAD) failures.push(`${N_DEAD - deadRecs} dead-target cues have no as-run record`);
  if (dupRecords) failures.push(`${dupRecords} cues have more than one as-run record`);
  if (notSent) notes.push(`${notSent} OSC cues were logged with an outcome other than "sent"`);
  if ((outcomes.dead.sent || 0) > 0) notes.push(`${outcomes.dead.sent} cues to the dead target were logged "sent"`);
  if (planOff > 1000000n) failures.push(`as-run "scheduled" is off the plan by up to ${us(Number(planOff) / 1e3)}`);
  if (followOff > 1000000n) failures.push(`a follow item started off its plan by ${us(Number(followOff) / 1e3)}`);
  if (missing) failures.push(`${missing} cues never reached the receiver`);
  if (rx.dups) failures.push(`${rx.dups} cues reached the receiver more than once`);

  if (vsum && vsum.event === 'summary') {
    const kinds = (o) => Object.entries(o).map(([k, n]) => `${n}× ${k || 'no reason'}`).join(', ') || 'none';
    out.push(`viewers: ${vsum.opened} connections made in all (${vsum.open} opened, ${vsum.handshake_failed} failed the handshake); ` +
      `they left ${vsum.closed_clean} times with a clean close and ${vsum.destroyed} by destroying the socket; ` +
      `${vsum.closed_by_daemon} closed by the daemon (${kinds(vsum.closes_by_daemon)}; ${vsum.daemon_closed_before_state} of them before their first state; ` +
      `${vsum.daemon_closed_after_ms.lt100} within 100 ms of the handshake, ${vsum.daemon_closed_after_ms.lt1000} within 1 s, ${vsum.daemon_closed_after_ms.more} later); ` +
      `${vsum.states} states and ${vsum.pongs} pongs received (state seq reached ${vsum.max_seq}); ${vsum.open_at_stop} open at the stop`);
    out.push(`  viewer errors: ${vsum.errors} (${kinds(vsum.errors_by_kind)})${vsum.error_details.length ? `; on open connections: ${JSON.stringify(vsum.error_details)}` : ''}`);
    if (vsum.closed_by_daemon) notes.push(`the daemon closed ${vsum.closed_by_daemon} viewers itself`);
  } else failures.push('churn.mjs gave no summary');

  // ---- Verdict: growth from the baseline (after warm-up) to the end ----
  if (end && baseline) {
    const dRss = end.rss - baseline.rss, dFd = end.otherFds - baseline.otherFds;
    const dLog = end.asrun.kib - baseline.asrun.kib, dRest = dRss - dLog;
    const rssOk = dRest <= RSS_TOL_KIB, fdOk = Math.abs(dFd) <= FD_TOL;
    const gone = idle ? idle.viewerFds === 0 : false;
    const sgn = (x) => `${x >= 0 ? '+' : ''}${x}`;
    out.push(`\ngrowth, end vs after warm-up (t=${baseline.t.toFixed(0)} s -> t=${end.t.toFixed(0)} s). Allowed: RSS up to +${RSS_TOL_KIB} KiB ` +
      `beyond what the as-run log's in-memory copy adds by design; fds other than viewer connections ±${FD_TOL}; no viewer socket left once the viewers have gone.`);
    out.push(`  RSS ${mib(baseline.rss)} -> ${mib(end.rss)} MiB (${sgn(dRss)} KiB; the as-run copy grew by ${end.asrun.records - baseline.asrun.records} records, ` +
      `~${sgn(dLog)} KiB; the rest ${sgn(dRest)} KiB): ${rssOk ? 'ok' : 'GREW'}`);
    out.push(`  fds ${baseline.otherFds} -> ${end.otherFds} other than viewer connections (${sgn(dFd)}; ${baseline.fds} -> ${end.fds} in all): ${fdOk ? 'ok' : 'GREW'}; ` +
      `viewer sockets 2 s after the viewers left: ${idle ? idle.viewerFds : '?'}: ${gone ? 'ok' : 'LEFT OVER'}`);
    if (!rssOk) failures.push(`RSS grew by ${dRss} KiB, ${dRest} KiB beyond the as-run log's in-memory copy (allowed ${RSS_TOL_KIB})`);
    if (!fdOk) failures.push(`fds other than viewer connections changed by ${dFd} (allowed ±${FD_TOL})`);
    if (!gone) failures.push(`${idle ? idle.viewerFds : '?'} viewer sockets still open in the daemon 2 s after the last viewer left`);
  } else failures.push('no end sample: the daemon was gone');
  // The daemon's warnings and errors, grouped with addresses and numbers masked.
  const logKinds = new Map();
  for (const l of daemon.stderr.split('\n')) {
    const m = /^\S+ \S+ \S+ (warn|error): (.*)$/.exec(l);
    if (!m) continue;
    const k = `${m[1]}: ${m[2].replace(/\d+\.\d+\.\d+\.\d+:\d+/g, 'ADDR').replace(/\d+/g, 'N')}`;
    logKinds.set(k, (logKinds.get(k) || 0) + 1);
  }
  const top = [...logKinds].sort((a, b) => b[1] - a[1]);
  out.push(`daemon log: ${top.reduce((a, [, n]) => a + n, 0)} warnings and errors${top.length ? ':' : ''}` +
    top.slice(0, 6).map(([k, n]) => `\n  ${n}× ${k.slice(0, 140)}`).join('') + (top.length > 6 ? `\n  ... and ${top.length - 6} other kinds` : ''));
  out.push(`daemon: exited ${exit.signal || `with ${exit.code}`} on SIGTERM; load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (const n of notes) out.push(`note: ${n}`);
  for (const f of failures) out.push(`FAIL: ${f}`);
  out.push(failures.length
    ? `\nsoak: FAILED (${failures.length} problem(s) above)`
    : `\nsoak: PASSED: every cue arrived once, no growth beyond the tolerance, clean exit`);
  console.log(out.join('\n'));
  if (KEEP) console.log(`kept: ${daemon.dir}`);
  return failures.length ? 1 : 0;
}

main().then((code) => {
  finished = true;
  cleanup();
  process.exit(code);
}, (e) => abort(e.stack || String(e)));
