// Live edits: the producer saves the rundown file during the show. A good
// file is swapped in by itself; a broken one leaves the show and reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, renameSync } from 'node:fs';
import { Daemon, rundown, waitFor, sleep } from './lib/daemon.mjs';
import { UdpReceiver, Client } from './lib/peers.mjs';

function show(titleB = 'B') {
  return rundown({
    items: [
      { id: 'a', title: 'A', duration: '20s', cues: [{ id: 'a0', target: 'sw', osc: { address: '/a' } }, { id: 'a1', at: '2s', target: 'sw', osc: { address: '/a1' } }] },
      { id: 'b', title: titleB, duration: '20s' },
    ],
  });
}

test('saving the rundown file reloads it; a broken save changes nothing and tells the producer', async () => {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: show(), targets: { sw: { url: rx.url } } }).start();
  try {
    const c = await new Client(`${d.wsUrl}?token=${d.token}`).open();
    assert.equal((await c.cmd('go')).ok, true);
    await rx.waitCount(1);
    // An editor that saves in place.
    writeFileSync(d.showPath, JSON.stringify(show('B, moved up')));
    await waitFor(async () => (await d.get('/api/rundown')).json.items[1].title === 'B, moved up', 3000, 'the edit');
    let st = await d.state();
    assert.equal(st.current.id, 'a');
    // An editor that saves by rename.
    writeFileSync(`${d.showPath}.tmp`, JSON.stringify(show('B, renamed')));
    renameSync(`${d.showPath}.tmp`, d.showPath);
    await waitFor(async () => (await d.get('/api/rundown')).json.items[1].title === 'B, renamed', 3000, 'the renamed edit');
    // A broken save.
    writeFileSync(d.showPath, '{"format": "showcaller-rundown/1", "title": ');
    await waitFor(() => c.events.find((e) => e.type === 'reload_failed'), 3000, 'reload_failed');
    st = await d.state();
    assert.equal(st.current.id, 'a');
    assert.equal((await d.get('/api/rundown')).json.items[1].title, 'B, renamed');
    // The show went on: the cue at 2 s fired once.
    await rx.waitCount(2, 3000);
    await sleep(300);
    assert.deepEqual(rx.addresses(), ['/a', '/a1']);
    const reloads = d.asrun().filter((x) => x.kind === 'command' && x.cmd === 'reload');
    assert.ok(reloads.every((x) => x.door === 'file'));
    assert.ok(reloads.some((x) => x.ok) && reloads.some((x) => !x.ok));
    c.close();
  } finally {
    assert.equal((await d.stop()).code, 0, d.stderr);
    rx.close();
    d.cleanup();
  }
});
