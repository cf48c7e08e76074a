// Bad input never crashes the daemon or disturbs the show: malformed JSON,
// unknown commands, wrong argument types, oversized messages, broken reloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { Daemon, rundown, sleep, waitFor } from './lib/daemon.mjs';
import { UdpReceiver, Client, OscClient } from './lib/peers.mjs';

function show(extra = []) {
  return rundown({
    items: [
      { id: 'a', title: 'A', duration: '30s', cues: [{ id: 'a-cut', target: 'sw', osc: { address: '/a' } }] },
      { id: 'b', title: 'B', duration: '30s', cues: [{ id: 'b-cut', target: 'sw', osc: { address: '/b' } }] },
      ...extra,
    ],
  });
}

async function setup() {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: show(), targets: { sw: { url: rx.url } } }).start();
  return { rx, d };
}

async function teardown(d, rx) {
  const ex = await d.stop();
  rx.close();
  assert.equal(ex.code, 0, `exit ${ex.code} ${ex.signal}\n${d.stderr}`);
  assert.match(d.stderr, /stopped cleanly/);
  d.cleanup();
}

test('websocket: malformed JSON, unknown commands and wrong types get error replies', async () => {
  const { rx, d } = await setup();
  try {
    const c = await new Client(`${d.wsUrl}?token=${d.token}`).open();
    c.sendRaw('{not json');
    await waitFor(() => c.replies.get(null), 2000, 'the bad_json reply');
    assert.equal(c.replies.get(null).error.code, 'bad_json');
    c.sendRaw('[1,2,3]');
    c.sendRaw('"text"');
    let r = await c.cmd('frobnicate');
    assert.equal(r.error.code, 'unknown_command');
    r = await c.cmd('goto', { item: 42 });
    assert.equal(r.error.code, 'bad_argument');
    r = await c.cmd('goto', {});
    assert.equal(r.error.code, 'missing_argument');
    r = await c.cmd('add', { seconds: 'ten' });
    assert.equal(r.error.code, 'bad_argument');
    r = await c.cmd('goto', { item: 'nope' });
    assert.equal(r.error.code, 'unknown_item');
    r = await c.cmd('message', { text: 'x'.repeat(300) });
    assert.equal(r.error.code, 'bad_argument');
    // Still fully working afterwards.
    r = await c.cmd('go');
    assert.equal(r.ok, true);
    await rx.waitCount(1);
    c.close();
  } finally {
    await teardown(d, rx);
  }
});

test('websocket: an oversized message closes that connection (1009); others keep working', async () => {
  const { rx, d } = await setup();
  try {
    const big = new Client(`${d.wsUrl}?token=${d.token}`);
    await big.open();
    const other = await new Client(`${d.wsUrl}?token=${d.token}`).open();
    big.sendRaw(JSON.stringify({ cmd: 'message', text: 'x'.repeat(100 * 1024) }));
    assert.equal(await big.closed, 1009);
    const r = await other.cmd('go');
    assert.equal(r.ok, true);
    await rx.waitCount(1);
    other.close();
  } finally {
    await teardown(d, rx);
  }
});

test('websocket: binary frames are refused; a wrong path is a 404', async () => {
  const { rx, d } = await setup();
  try {
    const c = await new Client(`${d.wsUrl}?token=${d.token}`).open();
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal(await c.closed, 1003);
    const bad = new WebSocket(`ws://127.0.0.1:${d.http}/nope`);
    const status = await new Promise((res) => {
      bad.on('unexpected-response', (_q, r) => res(r.statusCode));
      bad.on('error', () => res('error'));
    });
    assert.equal(status, 404);
  } finally {
    await teardown(d, rx);
  }
});

test('HTTP: bad bodies, unknown commands and methods get JSON errors', async () => {
  const { rx, d } = await setup();
  try {
    const post = async (path, body, headers = {}) => {
      const res = await fetch(`${d.url}${path}`, {
        method: 'POST', body, headers: { authorization: `Bearer ${d.token}`, ...headers },
      });
      return { status: res.status, json: await res.json() };
    };
    let r = await post('/api/go', '{oops');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'bad_json');
    r = await post('/api/frobnicate', '{}');
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'unknown_command');
    r = await post('/api/goto', '{"item": 7}');
    assert.equal(r.status, 400);
    r = await post('/api/goto', '{"item": "zzz"}');
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'unknown_item');
    r = await post('/api/message', JSON.stringify({ text: 'y'.repeat(20000) }));
    assert.equal(r.status, 413);
    const res = await fetch(`${d.url}/api/state`, { method: 'DELETE' });
    assert.equal(res.status, 405);
    const nf = await d.get('/api/nothing');
    assert.equal(nf.status, 404);
    assert.equal(nf.json.ok, false);
    r = await d.api('go');
    assert.equal(r.status, 200);
    await rx.waitCount(1);
  } finally {
    await teardown(d, rx);
  }
});

// A raw request over one TCP connection: the answer's bytes, until the daemon closes.
function rawRequest(port, head) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (b) => { got += b.toString('latin1'); });
    sock.on('end', () => resolve(got));
    sock.on('error', (e) => (got ? resolve(got) : reject(e)));
    sock.setTimeout(5000, () => { sock.destroy(); resolve(got); });
    sock.write(head);
  });
}

test('HTTP: a request header over 8 KiB is answered 431 (also 1 MB of it); the daemon serves on', async () => {
  const { rx, d } = await setup();
  try {
    const port = Number(new URL(d.url).port);
    for (const [name, size] of [['X-Big', 1000000], ['Cookie', 1000000], ['User-Agent', 9000]]) {
      const got = await rawRequest(port, `GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\n${name}: ${'a'.repeat(size)}\r\n\r\n`);
      assert.match(got, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/, `${name}: ${got.slice(0, 80)}`);
      const body = JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4));
      assert.equal(body.error.code, 'header_too_large');
    }
    // Many small header lines count together.
    const many = Array.from({ length: 400 }, (_, i) => `X-Line-${i}: ${'b'.repeat(20)}`).join('\r\n');
    assert.match(await rawRequest(port, `GET /api/state HTTP/1.1\r\nHost: x\r\n${many}\r\n\r\n`), /^HTTP\/1\.1 431 /);
    // Under the limit, in pieces, with a body: served as ever.
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((r) => sock.on('connect', r));
    let got = '';
    sock.on('data', (b) => { got += b.toString('latin1'); });
    sock.write('GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await sleep(300);
    sock.write(`Foo: ${'c'.repeat(6000)}\r\n\r\n`);
    await waitFor(() => got.includes('"show"'), 3000, 'the state');
    assert.match(got, /^HTTP\/1\.1 200 /);
    sock.destroy();
    const r = await fetch(`${d.url}/api/go`, { method: 'POST', body: '{oops', headers: { authorization: `Bearer ${d.token}` } });
    assert.equal(r.status, 400);
    assert.equal((await d.api('go')).status, 200);
    await rx.waitCount(1);
    // Logged once per address every 2 s, not once per refusal.
    assert.equal(d.stderr.split('\n').filter((l) => l.includes('answered 431')).length, 1);
  } finally {
    await teardown(d, rx);
  }
});

test('OSC: wrong types, unknown commands and garbage datagrams get replies or are dropped', async () => {
  const { rx, d } = await setup();
  try {
    const o = await new OscClient().start();
    o.send(d.osc, '/showcaller/goto', [{ type: 'i', value: 3 }]);
    let rep = await o.reply(1);
    assert.deepEqual(rep.args.map((a) => a.value).slice(0, 3), ['goto', 0, 'bad_argument']);
    o.send(d.osc, '/showcaller/frobnicate');
    rep = await o.reply(2);
    assert.equal(rep.args[2].value, 'unknown_command');
    const dgram = await import('node:dgram');
    const s = dgram.createSocket('udp4');
    for (let i = 0; i < 50; i++) s.send(Buffer.from(Array.from({ length: 40 }, () => Math.floor(Math.random() * 256))), d.osc, '127.0.0.1');
    await sleep(100);
    s.close();
    o.send(d.osc, '/showcaller/go');
    rep = await o.reply(3);
    assert.deepEqual(rep.args.map((a) => a.value), ['go', 1, '', '']);
    await rx.waitCount(1);
    o.close();
  } finally {
    await teardown(d, rx);
  }
});

test('reload: a broken rundown leaves the show untouched and tells control clients; a good one is swapped in', async () => {
  const { rx, d } = await setup();
  try {
    const c = await new Client(`${d.wsUrl}?token=${d.token}`).open();
    assert.equal((await c.cmd('go')).ok, true);
    await rx.waitCount(1);
    writeFileSync(d.showPath, '{"format": "showcaller-rundown/1", "title": "Broken", "items": [{"id": "a"}]}');
    d.kill('SIGHUP');
    await waitFor(() => c.events.find((e) => e.type === 'reload_failed'), 3000, 'reload_failed');
    const ev = c.events.find((e) => e.type === 'reload_failed');
    assert.ok(ev.errors.some((e) => e.includes('items[0].title: missing')));
    let st = await d.state();
    assert.equal(st.current.id, 'a');
    assert.equal(st.show.title, 'Test show');

    // A good rundown with the running item kept: it keeps running.
    writeFileSync(d.showPath, JSON.stringify(show([{ id: 'c', title: 'C', duration: '10s' }])));
    const r = await c.cmd('reload');
    assert.equal(r.ok, true, JSON.stringify(r));
    st = await d.state();
    assert.equal(st.current.id, 'a');
    assert.equal(st.items.length, 3);
    await sleep(200);
    assert.equal(rx.messages.length, 1); // nothing fired twice
    // Removing the running item is refused.
    writeFileSync(d.showPath, JSON.stringify(rundown({ items: [{ id: 'z', title: 'Z', duration: '1s' }] })));
    const r2 = await c.cmd('reload');
    assert.equal(r2.ok, false);
    assert.equal(r2.error.code, 'running_item_removed');
    c.close();
  } finally {
    await teardown(d, rx);
  }
});

test('start-up refuses a broken rundown with its errors, and a port that is taken', async () => {
  const d = new Daemon({ show: '{"format": "showcaller-rundown/1", "items": []}' });
  await assert.rejects(d.start(), /items: the rundown has no items/);
  d.cleanup();
  const first = await new Daemon({ show: show(), targets: { sw: { url: 'osc.udp://127.0.0.1:9' } } }).start();
  try {
    // The same config again: its HTTP port is the first daemon's (with a
    // data_dir of its own: the first one's is locked, 24-journal).
    const { spawn } = await import('node:child_process');
    const { DAEMON } = await import('./lib/daemon.mjs');
    const config = join(first.dir, 'config2.json');
    writeFileSync(config, JSON.stringify({ ...first.config, data_dir: join(first.dir, 'data2') }));
    const proc = spawn(DAEMON, ['--config', config, '--osc', '127.0.0.1:0', first.showPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (b) => { err += b; });
    const code = await new Promise((r) => proc.on('exit', r));
    assert.equal(code, 1);
    assert.match(err, /cannot listen on 127\.0\.0\.1:\d+/);
  } finally {
    assert.equal((await first.stop()).code, 0);
    first.cleanup();
  }
});

test('reload during an item: a pending cue fires once, in its new form when it changed', async () => {
  const rx = await new UdpReceiver().start();
  const mk = (addrB) => rundown({
    items: [{
      id: 'a', title: 'A', duration: '10s',
      cues: [
        { id: 'same', at: '1200ms', target: 'sw', osc: { address: '/same' } },
        { id: 'changed', at: '1400ms', target: 'sw', osc: { address: addrB } },
      ],
    }],
  });
  const d = await new Daemon({ show: mk('/old'), targets: { sw: { url: rx.url } } }).start();
  try {
    assert.equal((await d.api('go')).status, 200);
    await sleep(400);
    writeFileSync(d.showPath, JSON.stringify(mk('/new')));
    const r = await d.api('reload');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await rx.waitCount(2, 3000);
    await sleep(300);
    assert.deepEqual(rx.addresses(), ['/same', '/new']);
    const cues = d.asrun().filter((x) => x.kind === 'cue' && x.outcome === 'sent').map((x) => x.cue);
    assert.deepEqual(cues, ['same', 'changed']);
  } finally {
    await teardown(d, rx);
  }
});

test('SIGHUP re-reads the config too: go_guard changes live; a broken config changes nothing', async () => {
  const { rx, d } = await setup();
  try {
    writeFileSync(d.configPath, JSON.stringify({ ...d.config, go_guard: '5s' }));
    d.kill('SIGHUP');
    await waitFor(() => d.asrun().some((x) => x.kind === 'command' && x.cmd === 'reload' && x.ok), 3000, 'the reload');
    assert.equal((await d.api('go')).status, 200);
    await sleep(600);
    let r = await d.api('go');
    assert.equal(r.status, 429);
    assert.match(r.body.error.message, /go_guard is 5\.000 s/);
    writeFileSync(d.configPath, '{"go_guard": "soon"}');
    r = await d.api('reload');
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'reload_failed');
    r = await d.api('go');
    assert.equal(r.status, 429); // still the 5 s guard
  } finally {
    await teardown(d, rx);
  }
});
