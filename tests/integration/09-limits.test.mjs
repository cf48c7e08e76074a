// Limits from the config: clients at once, message size, commands per second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { Daemon, rundown, sleep } from './lib/daemon.mjs';
import { Client, UdpReceiver } from './lib/peers.mjs';

test('limits: a client too many is refused, a big message closes, a command flood is rate limited', async () => {
  const d = await new Daemon({
    show: rundown({ items: [{ id: 'a', title: 'A', duration: '10s' }] }),
    config: { limits: { max_clients: 3, max_message_bytes: 2048, commands_per_second: 5 } },
  }).start();
  try {
    const clients = [];
    for (let i = 0; i < 3; i++) clients.push(await new Client(`${d.wsUrl}?token=${d.token}`).open());
    const fourth = new WebSocket(d.wsUrl);
    const status = await new Promise((res) => {
      fourth.on('unexpected-response', (_q, r) => res(r.statusCode));
      fourth.on('open', () => res('open'));
      fourth.on('error', () => res('error'));
    });
    assert.equal(status, 503);

    clients[0].sendRaw(JSON.stringify({ cmd: 'message', text: 'x'.repeat(3000) }));
    assert.equal(await clients[0].closed, 1009);

    const c = clients[1];
    const replies = await Promise.all(Array.from({ length: 20 }, () => c.cmd('clear_message')));
    const limited = replies.filter((r) => !r.ok && r.error.code === 'rate_limited').length;
    assert.ok(limited >= 8 && limited <= 12, `${limited} of 20 rate limited (burst 10)`);
    await sleep(1100);
    assert.equal((await c.cmd('clear_message')).ok, true);

    // The refused client's place is free again once one leaves.
    clients[2].close();
    await clients[2].closed;
    await sleep(100);
    const again = await new Client(`${d.wsUrl}?token=${d.token}`).open();
    again.close();
    c.close();
  } finally {
    assert.equal((await d.stop()).code, 0, d.stderr);
    d.cleanup();
  }
});

test('HTTP: commands_per_second per client address; a flood is refused with 429 and runs nothing', async () => {
  const d = await new Daemon({
    show: rundown({ items: [{ id: 'a', title: 'A', duration: '10s' }] }),
    config: { limits: { commands_per_second: 5 } },
  }).start();
  try {
    // Every request is its own connection: the limit follows the address.
    const t0 = Date.now();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => d.api('message', { text: `flood ${i}` })));
    const elapsed = (Date.now() - t0) / 1000;
    const limited = replies.filter((r) => r.status === 429 && r.body.error.code === 'rate_limited');
    const accepted = replies.filter((r) => r.status === 200 && r.body.ok && r.body.durable);
    assert.equal(limited.length + accepted.length, 20, JSON.stringify(replies.map((r) => r.body)));
    // A burst of 10, then 5 a second for as long as the flood took.
    const most = 10 + Math.ceil(elapsed * 5);
    assert.ok(accepted.length >= 10 && accepted.length <= most, `${accepted.length} of 20 accepted (burst 10, at most ${most} in ${elapsed} s)`);
    assert.match(limited[0].body.error.message, /more than 5 commands a second from 127\.0\.0\.1/);
    // Only what was accepted ran and was logged.
    const logged = (await d.asrunWhen((r) => r.filter((x) => x.cmd === 'message').length >= accepted.length))
      .filter((x) => x.cmd === 'message');
    assert.equal(logged.length, accepted.length);
    assert.deepEqual(logged.map((x) => x.seq).sort(), accepted.map((r) => r.body.seq).sort());
    // Reading is not a command: GETs still answer.
    assert.equal((await d.get('/api/state')).status, 200);
    await sleep(1100);
    assert.equal((await d.api('clear_message')).status, 200);
  } finally {
    assert.equal((await d.stop()).code, 0, d.stderr);
    d.cleanup();
  }
});

test('a show with more cues than the cue clock holds: only the next 10 s are armed, later cues on time', async () => {
  // 8300 cues from 11 s to 69 s after the GO (more than the clock's 8192), and
  // one 1 s after it. Arming the whole show at GO overflowed the clock and
  // logged thousands of cues "failed" a minute before their time. Now the
  // far ones are armed by the horizon timer 5 s before they come within 10 s.
  const rx = await new UdpReceiver().start();
  const far = Array.from({ length: 8300 }, (_, k) => ({
    id: `far${k}`, at: `${11000 + k * 7}ms`, target: 'sw', osc: { address: `/far/${k}` },
  }));
  const d = await new Daemon({
    show: rundown({ items: [{ id: 'a', title: 'A', duration: '5m', cues: [
      { id: 'soon', at: '1s', target: 'sw', osc: { address: '/soon' } }, ...far] }] }),
    targets: { sw: { url: rx.url } },
  }).start();
  try {
    assert.equal((await d.api('go')).status, 200);
    await rx.waitCount(1, 3000);
    assert.deepEqual(rx.addresses(), ['/soon']);
    // The first far cues, armed by the horizon timer, arrive on time.
    await rx.waitCount(51, 15000);
    assert.deepEqual(rx.addresses().slice(0, 4), ['/soon', '/far/0', '/far/1', '/far/2']);
    const log = await d.asrunWhen((r) => r.some((x) => x.cue === 'far49'), 5000);
    const cues = log.filter((x) => x.kind === 'cue');
    assert.deepEqual(cues.filter((x) => x.outcome !== 'sent'), [], 'cues not sent');
    const far0 = cues.find((x) => x.cue === 'far0');
    assert.ok(far0.lateness_us < 50000, `far0 left ${far0.lateness_us} µs late`);
    assert.doesNotMatch(d.stderr, /cue clock full/);
  } finally {
    assert.equal((await d.stop()).code, 0, d.stderr);
    rx.close();
    d.cleanup();
  }
});

test('viewers joining a busy show each get the state and are not taken for slow readers', async () => {
  // Cues every 40 ms push a state about as often; 60 viewers join over 1.5 s.
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({
    show: rundown({ items: [{ id: 'a', title: 'A', duration: '20s', cues: Array.from({ length: 100 }, (_, k) => ({
      id: `c${k}`, at: `${k * 40}ms`, target: 'sw', osc: { address: `/c/${k}` },
    })) }] }),
    targets: { sw: { url: rx.url } },
  }).start();
  const viewers = [];
  try {
    assert.equal((await d.api('go')).status, 200);
    for (let i = 0; i < 60; i++) {
      viewers.push(new Client(d.wsUrl).open().catch((e) => e));
      await sleep(25);
    }
    const opened = await Promise.all(viewers);
    assert.equal(opened.filter((c) => c instanceof Error).length, 0);
    await sleep(1000);
    const dropped = opened.filter((c) => c.ws.readyState !== WebSocket.OPEN).length;
    const stateless = opened.filter((c) => c.states.length === 0).length;
    assert.equal(dropped, 0, `${dropped} of 60 viewers were closed by the daemon`);
    assert.equal(stateless, 0, `${stateless} of 60 viewers got no state`);
    assert.doesNotMatch(d.stderr, /not reading its state/);
  } finally {
    for (const c of await Promise.all(viewers)) if (!(c instanceof Error)) c.close();
    assert.equal((await d.stop()).code, 0, d.stderr);
    rx.close();
    d.cleanup();
  }
});

// Sends raw bytes over TCP and returns what came back before close (or 1 s).
async function raw(port, text) {
  const net = await import('node:net');
  return new Promise((res) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (b) => { out += b; });
    s.on('error', () => res(out));
    s.on('close', () => res(out));
    s.on('connect', () => s.write(text));
    setTimeout(() => { s.destroy(); res(out); }, 1000);
  });
}

test('static files cannot escape clients/web; malformed HTTP gets an error and changes nothing', async () => {
  const d = await new Daemon({ show: rundown({ items: [{ id: 'a', title: 'A', duration: '10s' }] }) }).start();
  try {
    for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/stage/../../../etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd']) {
      const out = await raw(d.http, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.ok(!out.includes('root:'), `${path} leaked a file`);
      assert.match(out, /^HTTP\/1\.[01] (4\d\d)/, `${path}: ${out.slice(0, 80)}`);
    }
    for (const junk of ['GARBAGE\r\n\r\n', `GET /${'a'.repeat(10000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 'POST /api/go HTTP/1.1\r\nContent-Length: -5\r\n\r\n', '\x00\x01\x02\x03']) {
      const out = await raw(d.http, junk);
      assert.ok(out === '' || /^HTTP\/1\.[01] [45]\d\d/.test(out), `answer to junk: ${out.slice(0, 60)}`);
    }
    const st = await d.state();
    assert.equal(st.show.state, 'idle');
    const index = await d.get('/');
    assert.equal(index.status, 200);
  } finally {
    assert.equal((await d.stop()).code, 0, d.stderr);
    d.cleanup();
  }
});
