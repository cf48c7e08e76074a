// Websocket abuse from python3-autobahn's frame-level client: malformed
// frames, invalid UTF-8, bad close codes, oversized and fragmented messages.
// The daemon closes each offending connection correctly and the show goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Daemon, rundown, ROOT } from './lib/daemon.mjs';
import { UdpReceiver } from './lib/peers.mjs';

function abuse(port, token) {
  return new Promise((res, rej) => {
    execFile('/usr/bin/python3', [join(ROOT, 'tests/integration/py/ws_abuse.py'), String(port), token],
      { timeout: 90000 }, (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout)));
  });
}

test('malformed websocket frames close that connection with the right code; the show goes on', async () => {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({
    show: rundown({ items: [{ id: 'a', title: 'A', duration: '10s', cues: [{ id: 'a0', target: 'sw', osc: { address: '/a' } }] }] }),
    targets: { sw: { url: rx.url } },
  }).start();
  try {
    const out = await abuse(d.http, d.token);
    const results = Object.fromEntries(out.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.case, r.code]));
    const want = {
      'invalid-utf8-text': 1007,
      'reserved-opcode': 1002,
      'continuation-without-start': 1002,
      'fragmented-control-frame': 1002,
      'bad-close-code': 1002,
      'oversized-message': 1009,
      'fragmented-oversized': 1009,
      'text-inside-fragmented-text': 1002,
      'binary-message': 1003,
    };
    for (const [name, code] of Object.entries(want)) assert.equal(results[name], code, name);
    // RSV1 without an extension: refused with 1002 when the frame reaches our
    // callback; libwebsockets 4.1.6 sometimes parses a frame that arrives
    // right behind the handshake without reporting its reserved bits, and
    // the connection stays open (a known limitation, in the issue notes).
    assert.ok(results['rsv1-without-extension'] === 1002 || results['rsv1-without-extension'] === 'open');
    // These two are dropped without a close frame (1006): closed all the same.
    for (const name of ['ping-too-long', 'close-invalid-utf8-reason']) assert.notEqual(results[name], 'open', name);
    assert.equal((await d.api('go')).status, 200);
    await rx.waitCount(1);
  } finally {
    assert.equal((await d.stop()).code, 0, d.stderr);
    rx.close();
    d.cleanup();
  }
});
