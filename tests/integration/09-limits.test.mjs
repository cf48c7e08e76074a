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
