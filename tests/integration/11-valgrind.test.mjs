// The daemon under valgrind through a short scenario: no error, no leak of
// any kind, and a clean exit (uv_loop_close() == 0) after SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Daemon, rundown, sleep, DAEMON } from './lib/daemon.mjs';
import { UdpReceiver, TcpReceiver, WsReceiver, Client, OscClient } from './lib/peers.mjs';

const hasValgrind = (() => { try { execFileSync('valgrind', ['--version']); return true; } catch { return false; } })();
// An ASan build cannot run under valgrind.
const asan = /asan/.test(DAEMON);

test('valgrind: GO, hold, reload, every door and target kind, then SIGTERM: no errors, no leaks', { skip: !hasValgrind || asan }, async () => {
  const udp = await new UdpReceiver().start();
  const tcp = await new TcpReceiver('slip').start();
  const wsr = await new WsReceiver().start();
  const show = rundown({
    items: [
      { id: 'a', title: 'A', duration: '5s', cues: [
        { id: 'u', at: '-200ms', target: 'u', osc: { address: '/u', args: [1, 'x', 0.5] } },
        { id: 't', target: 't', osc: { address: '/t' } },
        { id: 'w', at: '300ms', target: 'w', ws: { action: 'play' } }] },
      { id: 'b', title: 'B', start: 'follow', duration: '5s' },
    ],
  });
  const d = new Daemon({
    show,
    targets: { u: { url: udp.url }, t: { url: tcp.url, framing: 'slip' }, w: { url: wsr.url } },
    valgrind: true,
  });
  try {
    await d.start();
    await sleep(1500); // the websocket and TCP targets connect
    const c = await new Client(`${d.wsUrl}?token=${d.token}`).open();
    assert.equal((await c.cmd('go')).ok, true);
    await udp.waitCount(1, 5000);
    await sleep(600);
    assert.equal((await d.api('hold')).status, 200);
    const o = await new OscClient().start();
    o.send(d.osc, '/showcaller/resume');
    await o.reply();
    o.send(d.osc, '/showcaller/subscribe');
    await o.reply(2);
    assert.equal((await d.api('reload')).status, 200);
    // The editing API: a check and a save (both read on the thread pool), a
    // refused save, the versions, a diff, an import and the CSV.
    const auth = { authorization: `Bearer ${d.token}` };
    const src = await (await fetch(`${d.url}/api/rundown/source`, { headers: auth })).json();
    const draft = structuredClone(src.rundown);
    draft.items[1].title = 'B, edited';
    let r = await fetch(`${d.url}/api/rundown/check`, { method: 'POST', headers: auth, body: JSON.stringify({ rundown: draft }) });
    assert.equal((await r.json()).ok, true);
    const bad = structuredClone(draft);
    bad.items[1].duration = 'soon';
    r = await fetch(`${d.url}/api/rundown`, { method: 'PUT', headers: auth, body: JSON.stringify({ rev: src.rev, rundown: bad }) });
    assert.equal(r.status, 400);
    r = await fetch(`${d.url}/api/rundown`, { method: 'PUT', headers: auth, body: JSON.stringify({ rev: src.rev, rundown: draft, author: 'V' }) });
    assert.equal(r.status, 200, await r.clone().text());
    r = await fetch(`${d.url}/api/versions/1/diff`, { headers: auth });
    assert.equal((await r.json()).items[0].id, 'b');
    r = await fetch(`${d.url}/api/import?format=csv`, { method: 'POST', headers: auth, body: 'title,duration\nOne,30s\nTwo,1:00\n' });
    assert.equal(r.status, 200);
    assert.equal((await d.get('/api/rundown.csv')).status, 200);
    assert.equal((await d.get('/api/asrun.csv')).status, 200);
    assert.equal((await d.get('/')).status, 200);
    c.sendRaw('{bad json');
    await sleep(500);
    o.close();
    c.close();
    const ex = await d.stop();
    assert.equal(ex.code, 0, `exit ${ex.code}: valgrind or the daemon reported:\n${d.stderr.split('\n').filter((l) => l.startsWith('==')).join('\n')}`);
    assert.match(d.stderr, /stopped cleanly/);
  } finally {
    if (d.proc && d.proc.exitCode === null) await d.stop();
    udp.close();
    await tcp.close();
    await wsr.close();
    d.cleanup();
  }
});
