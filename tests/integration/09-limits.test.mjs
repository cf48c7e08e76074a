// Limits from the config: clients at once, message size, commands per second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { Daemon, rundown, sleep } from './lib/daemon.mjs';
import { Client } from './lib/peers.mjs';

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
