// The first five minutes: the demo on any day, a rundown of another day said so, the cue monitor
// that shows the demo's cues arriving, timed stage messages, default warn/critical, the panic
// state, and a restart that brings back the cue log and the target counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import osc from 'osc';
import { Daemon, ROOT, freePort, freeUdpPort, rundown, sleep, waitFor } from './lib/daemon.mjs';
import { UdpReceiver } from './lib/peers.mjs';

const demoShow = readFileSync(join(ROOT, 'config/evening-news.json'), 'utf8');
const demoTargets = JSON.parse(readFileSync(join(ROOT, 'config/demo.json'), 'utf8')).targets;

async function withDaemon(opts, fn) {
  const d = await new Daemon(opts).start();
  try {
    await fn(d);
  } finally {
    const r = await d.stop();
    d.cleanup();
    assert.equal(r.code, 0, `exit ${JSON.stringify(r)}\n${d.stderr}`);
  }
}

test('--demo moves the demo show to today: on air in minutes, nothing late, even to the minute', async () => {
  await withDaemon({ show: demoShow, targets: demoTargets, args: ['--demo'] }, async (d) => {
    const st = await d.state();
    const now = Date.now();
    const today = new Date();
    const ymd = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    assert.equal(st.show.date, ymd);
    assert.equal(st.show.days_from_today, 0);
    assert.equal(st.show.demo.from_date, '2026-11-27');
    assert.equal(typeof st.show.demo.shifted_ms, 'number');
    // The first hard start, on the whole minute, two to three minutes away.
    const lead = st.show.on_air - now;
    assert.ok(lead >= 115000 && lead <= 181000, `on air in ${lead} ms`);
    assert.equal(st.show.on_air % 60000, 0);
    assert.deepEqual(st.items.filter((i) => i.late).map((i) => i.id), [], 'late items');
    assert.ok(Math.abs(st.show.over_under_ms) < 60000, `over/under ${st.show.over_under_ms} ms`);
    assert.equal(st.show.state, 'idle');
    assert.match(d.stderr, /demo: \S+ is moved to today, \d{4}-\d\d-\d\d, its first time at \d\d:\d\d:00/);
    // GET /api/rundown has the moved times too.
    const rd = (await d.get('/api/rundown')).json;
    assert.equal(rd.on_air, st.show.on_air);
    const hard = rd.items.filter((i) => i.hard_start !== null);
    assert.ok(hard.length >= 1 && hard.every((i) => i.hard_start >= st.show.on_air), 'hard starts after on_air');
  });
});

test('a rundown of another day is said so at start-up and in the state, never as hours over', async () => {
  const past = rundown({ onAir: '18:00:00', items: [{ id: 'a', title: 'A', start: '18:00:00', duration: '10s' }] });
  past.date = '2026-01-01';
  await withDaemon({ show: past }, async (d) => {
    const st = await d.state();
    assert.equal(st.show.date, '2026-01-01');
    assert.ok(st.show.days_from_today < 0, `days ${st.show.days_from_today}`);
    assert.equal(st.show.demo, null);
    assert.match(d.stderr, /warn: the rundown is dated 2026-01-01, \d+ days ago: its times of day are on that date/);
  });
  // Today's is not warned of.
  await withDaemon({ show: rundown({ items: [{ id: 'a', title: 'A', duration: '10s' }] }) }, async (d) => {
    assert.equal((await d.state()).show.days_from_today, 0);
    assert.doesNotMatch(d.stderr, /the rundown is dated/);
  });
});

// The monitor prints one line per cue: "HH:MM:SS.mmm  name  kind  text".
function startMonitor(configPath) {
  const p = spawn('node', [join(ROOT, 'clients/cli/cue-monitor.mjs'), configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  p.out = '';
  p.err = '';
  p.stdout.on('data', (b) => { p.out += b; });
  p.stderr.on('data', (b) => { p.err += b; });
  return p;
}

test('the cue monitor shows every kind of cue arrive: OSC over UDP, TCP (length and SLIP), websocket', async () => {
  const [udp, tcp, slip, ws] = [await freeUdpPort(), await freePort(), await freePort(), await freePort()];
  const targets = {
    sw: { url: `osc.udp://127.0.0.1:${udp}` },
    desk: { url: `osc.tcp://127.0.0.1:${tcp}`, framing: 'length' },
    pd: { url: `osc.tcp://127.0.0.1:${slip}`, framing: 'slip' },
    gfx: { url: `ws://127.0.0.1:${ws}/` },
  };
  const dir = mkdtempSync(join(tmpdir(), 'showcaller-monitor-'));
  const cfg = join(dir, 'config.json');
  writeFileSync(cfg, JSON.stringify({ targets }));
  const mon = startMonitor(cfg);
  try {
    await waitFor(() => mon.err.includes('waiting for cues'), 5000, 'the monitor to listen');
    const show = rundown({
      items: [{
        id: 'a', title: 'A', duration: '30s', cues: [
          { at: '0', target: 'sw', osc: { address: '/atem/cut', args: [3, 'cam 2'] } },
          { at: '0', target: 'desk', osc: { address: '/ch/01/mix/fader', types: 'f', args: [0.5] } },
          { at: '0', target: 'pd', osc: { address: '/pd/bang', args: [true] } },
          { at: '0', target: 'gfx', ws: { action: 'play', template: 'bug' } },
        ],
      }],
    });
    await withDaemon({ show, targets }, async (d) => {
      await waitFor(async () => (await d.state()).targets.every((t) => t.state === 'ready' || t.state === 'connected'),
        5000, 'every target connected');
      assert.equal((await d.api('go')).status, 200);
      await waitFor(() => mon.out.split('\n').filter(Boolean).length >= 4, 5000, 'four cues at the monitor');
    });
    const lines = mon.out.split('\n').filter(Boolean);
    const line = (name) => lines.find((l) => l.split(/\s+/)[1] === name) || '';
    assert.match(line('sw'), /^\d\d:\d\d:\d\d\.\d{3}\s+sw\s+osc\.udp\s+\/atem\/cut 3 "cam 2"$/);
    assert.match(line('desk'), /osc\.tcp\s+\/ch\/01\/mix\/fader 0\.5$/);
    assert.match(line('pd'), /osc\.tcp\s+\/pd\/bang true$/);
    assert.match(line('gfx'), /ws\s+\{"action":"play","template":"bug"\}$/);
  } finally {
    mon.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a timed stage message clears itself, on every door; a bad duration is refused', async () => {
  await withDaemon({ show: rundown({ items: [{ id: 'a', title: 'A', duration: '10s' }] }) }, async (d) => {
    const before = Date.now();
    const r = await d.api('message', { text: 'WRAP', color: 'red', seconds: 0.6 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    let st = await d.state();
    assert.equal(st.message.text, 'WRAP');
    assert.ok(st.message.until >= before + 550 && st.message.until <= Date.now() + 650, `until ${st.message.until - before}`);
    await waitFor(async () => (await d.state()).message === null, 2000, 'the message to clear itself');
    assert.ok(Date.now() - before >= 550, 'not before its time');
    // Without a duration it stays.
    await d.api('message', { text: 'STAND BY' });
    await sleep(800);
    st = await d.state();
    assert.equal(st.message.text, 'STAND BY');
    assert.equal(st.message.until, null);
    // OSC: /showcaller/message s text s color f seconds ("" for no colour).
    const port = new osc.UDPPort({ localAddress: '127.0.0.1', localPort: 0, remoteAddress: '127.0.0.1', remotePort: d.osc, metadata: true });
    await new Promise((res) => { port.on('ready', res); port.open(); });
    port.send({ address: '/showcaller/message', args: [{ type: 's', value: 'CUT' }, { type: 's', value: '' }, { type: 'f', value: 0.5 }] });
    await waitFor(async () => (await d.state()).message?.text === 'CUT', 2000, 'the OSC message');
    await waitFor(async () => (await d.state()).message === null, 2000, 'the OSC message to clear itself');
    port.close();
    const bad = await d.api('message', { text: 'X', seconds: 0 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'bad_argument');
  });
});

test('items without warn/critical take the config defaults; short items and explicit values do not', async () => {
  const show = rundown({
    items: [
      { id: 'long', title: 'Long', duration: '2:00' },
      { id: 'short', title: 'Short', duration: '20s' },
      { id: 'own', title: 'Own', duration: '2:00', warn: '0', critical: '5s' },
    ],
  });
  await withDaemon({ show, config: { defaults: { warn: '45s', critical: '15s' } } }, async (d) => {
    const current = async (id) => { await d.api('goto', { item: id }); return (await d.state()).current; };
    let c = await current('long');
    assert.deepEqual([c.warn_ms, c.critical_ms], [45000, 15000]);
    c = await current('short');
    assert.deepEqual([c.warn_ms, c.critical_ms], [0, 15000]);
    c = await current('own');
    assert.deepEqual([c.warn_ms, c.critical_ms], [0, 5000]);
  });
  // The built-in defaults: 30 s and 10 s.
  await withDaemon({ show }, async (d) => {
    await d.api('goto', { item: 'long' });
    const c = (await d.state()).current;
    assert.deepEqual([c.warn_ms, c.critical_ms], [30000, 10000]);
  });
});

test('after a restart the cue log and the target counters come back from the as-run log', async () => {
  const rx = await new UdpReceiver().start();
  const show = rundown({
    items: [{
      id: 'a', title: 'A', duration: '30s', cues: [
        { id: 'a1', at: '0', target: 'sw', osc: { address: '/a1' } },
        { id: 'a2', at: '100ms', target: 'sw', osc: { address: '/a2' } },
        { id: 'a3', at: '200ms', target: 'dead', osc: { address: '/a3' } },
      ],
    }],
  });
  const d = await new Daemon({ show, targets: { sw: { url: rx.url }, dead: { url: `osc.tcp://127.0.0.1:${await freePort()}` } } }).start();
  try {
    await d.api('go');
    await rx.waitCount(2);
    await d.asrunWhen((r) => r.filter((x) => x.kind === 'cue').length >= 3);
    const before = await d.state();
    await d.stop();
    d.stdout = '';
    d.stderr = '';
    await d.spawn();
    const after = await d.state();
    const counts = (st) => st.targets.map((t) => [t.name, t.sent, t.failed]);
    assert.deepEqual(counts(after), counts(before));
    assert.deepEqual(counts(after), [['sw', 2, 0], ['dead', 0, 1]]);
    const log = (st) => st.cues.map((c) => [c.cue, c.outcome, c.sent !== null]);
    assert.deepEqual(log(after), log(before));
    assert.equal(after.current.id, 'a');
  } finally {
    await d.stop();
    d.cleanup();
    rx.close();
  }
});
