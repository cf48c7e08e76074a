// make bench, part 2: what the editor costs. Run by `make bench` after bench.mjs.
//
// METHOD. The real build/showcallerd (SHOWCALLERD), started on loopback by the
// integration tests' Daemon class with a temporary data_dir, stopped with
// SIGTERM (it must exit 0).
// - Check and save round trips: for rundowns of 20, 100 and 1,000 items (each
//   item with two OSC cues, notes and a script, like a real show), SAVES_N (30)
//   times: POST /api/rundown/check with the draft (what the editor sends as the
//   producer types) and PUT /api/rundown with a changed draft (one item
//   retimed in turn, so every save is a real new version: check, write, fsync,
//   rename, version, reload). Round trip = fetch start -> the whole answer,
//   measured in this process (Node's own overhead included: an upper bound).
// - Cues during checks and saves: a GO item with SAVES_CUES (400) OSC/UDP
//   cues and as many websocket cues, 10 ms apart, and a check (then, in a
//   second run, a save) of the 1,000-item rundown every 150 ms while they fire. Lateness = the as-run's lateness_us (send
//   side: when the datagram or frame was handed to the kernel), idle vs.
//   during checks, during saves; each without and with --realtime (SCHED_FIFO
//   for the cue clock, which the 2-core machine's busy Node and the worker
//   thread otherwise compete with). OSC cues leave from the cue clock's thread and must not
//   move; websocket cues leave from the loop, which a save occupies while it
//   parses and checks the draft.
// Percentiles are nearest-rank. Figures are printed, never asserted.
import { Daemon, rundown, sleep } from '../integration/lib/daemon.mjs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import dgram from 'node:dgram';
import { loadavg } from 'node:os';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const { WebSocketServer } = createRequire(join(ROOT, 'tests/integration/package.json'))('ws');
const env = (k, d) => (process.env[k] ? Number(process.env[k]) : d);
const N = env('SAVES_N', 30);
const N_CUES = env('SAVES_CUES', 400);

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const ms = (x) => `${x.toFixed(1)} ms`;
const us = (x) => `${Math.round(x)} µs`;

function show(nItems, extra = 0, cues = null) {
  const items = Array.from({ length: nItems }, (_, i) => ({
    id: `item-${i}`,
    title: `Item ${i}: a title of a realistic length`,
    duration: `${30 + ((i + extra) % 7) * 10}s`,
    notes: 'Cam 2 wide, then the guest on cam 3. Straps from gfx at 5 s.',
    script: 'Good evening. '.repeat(8),
    cues: [
      { id: `c${i}a`, target: 'sw', at: '0', label: 'cut', osc: { address: '/atem/cut' } },
      { id: `c${i}b`, target: 'sw', at: '2s', label: 'dsk', osc: { address: '/atem/dsk/1/on' } },
    ],
  }));
  if (cues) items.unshift(cues);
  return rundown({ title: `Bench ${nItems}`, items });
}

async function timed(d, method, path, body) {
  const t0 = performance.now();
  const res = await fetch(`${d.url}${path}`, {
    method, headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const json = await res.json();
  return { ms: performance.now() - t0, status: res.status, json };
}

async function roundTrips(nItems, rx) {
  const d = await new Daemon({ show: show(nItems), targets: { sw: { url: rx } } }).start();
  try {
    const checks = [], saves = [];
    let rev = (await timed(d, 'GET', '/api/rundown/source').catch(() => null))?.json?.rev;
    for (let i = 0; i < N; i++) {
      const draft = show(nItems, i + 1);
      const c = await timed(d, 'POST', '/api/rundown/check', { rundown: draft });
      if (c.status !== 200 || !c.json.ok) throw new Error(`check ${nItems}: ${JSON.stringify(c.json).slice(0, 300)}`);
      checks.push(c.ms);
      const s = await timed(d, 'PUT', '/api/rundown', { rev, rundown: draft });
      if (s.status !== 200) throw new Error(`save ${nItems}: ${JSON.stringify(s.json).slice(0, 300)}`);
      rev = s.json.rev;
      saves.push(s.ms);
    }
    const bytes = JSON.stringify(show(nItems)).length;
    console.log(`  ${String(nItems).padStart(5)} items (${Math.round(bytes / 1024)} KiB)   check p50 ${ms(pct(checks, 50))} p99 ${ms(pct(checks, 99))}   save p50 ${ms(pct(saves, 50))} p99 ${ms(pct(saves, 99))}`);
  } finally {
    const r = await d.stop();
    if (r.code !== 0) throw new Error(`the daemon exited ${r.code}: ${d.stderr.slice(-500)}`);
    d.cleanup();
  }
}

async function cuesDuringSaves(rxUrl, wsPort) {
  const cueItem = {
    id: 'cues', title: 'Cues', duration: `${Math.ceil((N_CUES * 10) / 1000) + 5}s`,
    cues: Array.from({ length: N_CUES }, (_, i) => [
      { id: `o${i}`, target: 'sw', at: `${100 + i * 10}ms`, osc: { address: '/o', types: 'i', args: [i] } },
      { id: `w${i}`, target: 'gfx', at: `${105 + i * 10}ms`, ws: { i } },
    ]).flat(),
  };
  const figures = {};
  const phases = ['idle', 'checking', 'saving'].flatMap((p) => [p, `${p}-rt`]);
  for (const phase of phases) {
    const d = await new Daemon({
      args: phase.endsWith('-rt') ? ['--realtime'] : [],
      show: show(1000, 0, cueItem),
      targets: { sw: { url: rxUrl }, gfx: { url: `ws://127.0.0.1:${wsPort}/` } },
      config: { go_guard: '0ms' },
    }).start();
    try {
      await sleep(500); // the ws target connects
      let rev = (await timed(d, 'GET', '/api/rundown/source')).json.rev;
      const go = await timed(d, 'POST', '/api/go', {});
      if (go.status !== 200) throw new Error(`GO: ${JSON.stringify(go.json)}`);
      const until = Date.now() + N_CUES * 10 + 300;
      let saves = 0;
      while (Date.now() < until) {
        if (phase.startsWith('checking')) {
          const c = await timed(d, 'POST', '/api/rundown/check', { rundown: show(1000, ++saves, cueItem) });
          if (c.status !== 200 || !c.json.ok) throw new Error(`check during cues: ${JSON.stringify(c.json).slice(0, 300)}`);
        }
        if (phase.startsWith('saving')) {
          const draft = show(1000, ++saves, cueItem);
          const s = await timed(d, 'PUT', '/api/rundown', { rev, rundown: draft });
          if (s.status !== 200) throw new Error(`save during cues: ${JSON.stringify(s.json).slice(0, 300)}`);
          rev = s.json.rev;
        }
        await sleep(150);
      }
      await sleep(500);
      const recs = d.asrun().filter((r) => r.kind === 'cue');
      const of = (p) => recs.filter((r) => r.cue.startsWith(p)).map((r) => r.lateness_us).filter(Number.isInteger);
      const ids = recs.map((r) => r.cue);
      if (new Set(ids).size !== ids.length) throw new Error(`${phase}: a cue was logged twice`);
      const rt = /SCHED_FIFO (granted|asked for but not permitted)/.exec(d.stderr)?.[1];
      figures[phase] = { osc: of('o'), ws: of('w'), saves, rt: rt === 'granted' ? 'rt' : rt ? 'rt refused' : '' };
    } finally {
      const r = await d.stop();
      if (r.code !== 0) throw new Error(`the daemon exited ${r.code}: ${d.stderr.slice(-500)}`);
      d.cleanup();
    }
  }
  for (const phase of phases) {
    const f = figures[phase];
    const what = phase.startsWith('idle') ? '' : `(${f.saves} ${phase.startsWith('saving') ? 'saves' : 'checks'})`;
    console.log(`  ${phase.replace('-rt', '').padEnd(8)} ${f.rt.padEnd(10)} ${what.padEnd(11)}  OSC n=${f.osc.length} p50 ${us(pct(f.osc, 50))} p99 ${us(pct(f.osc, 99))} max ${us(pct(f.osc, 100))}   ws n=${f.ws.length} p50 ${us(pct(f.ws, 50))} p99 ${us(pct(f.ws, 99))} max ${us(pct(f.ws, 100))}`);
  }
}

const rx = dgram.createSocket('udp4');
await new Promise((r) => rx.bind(0, '127.0.0.1', r));
const rxUrl = `osc.udp://127.0.0.1:${rx.address().port}`;
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((r) => wss.on('listening', r));
wss.on('connection', (s) => s.on('message', () => {}));
try {
  console.log(`\n== The editor: check and save round trips (${N} each; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}) ==`);
  for (const n of [20, 100, 1000]) await roundTrips(n, rxUrl);
  console.log(`\n== Cue lateness (send side) while the 1,000-item rundown is checked or saved every 150 ms (${N_CUES} OSC + ${N_CUES} ws cues 10 ms apart) ==`);
  await cuesDuringSaves(rxUrl, wss.address().port);
  console.log('  targets: OSC lateness with --realtime as idle during checks and saves (the cue clock never waits for the loop);');
  console.log('           ws lateness during checks within a few ms (the draft is read on the thread pool); during a save, up to the');
  console.log('           reload\'s time on the loop (the file parsed again, as `reload` does), which grows with the show');
} finally {
  rx.close();
  wss.close();
}
