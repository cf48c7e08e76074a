// Crash recovery: killed with SIGKILL mid-show, the daemon comes back where
// the show is; nothing fires twice, nothing due while it was down fires late.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Daemon, rundown, sleep, waitFor } from './lib/daemon.mjs';
import { UdpReceiver } from './lib/peers.mjs';

function show() {
  return rundown({
    items: [
      {
        id: 'a', title: 'A', duration: '8s',
        cues: ['0', '1s', '3s', '5s'].map((at, k) => ({ id: `a${k}`, at, target: 'sw', osc: { address: `/a/${k}` } })),
      },
      { id: 'b', title: 'B', start: 'follow', duration: '10s', cues: [{ id: 'b0', target: 'sw', osc: { address: '/b/0' } }] },
    ],
  });
}

async function restart(d) {
  d.stdout = '';
  d.stderr = '';
  await d.spawn();
}

test('after SIGKILL the running item resumes at its true elapsed time; missed cues are logged, never fired', async () => {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: show(), targets: { sw: { url: rx.url } } }).start();
  try {
    assert.equal((await d.api('go')).status, 200);
    await rx.waitCount(2, 3000); // a0 at 0 and a1 at 1 s
    const before = await d.state();
    d.kill('SIGKILL');
    await d.exited;
    await sleep(2500); // a2 (3 s) falls due while the daemon is down
    await restart(d);
    assert.match(d.stderr, /resumed from \d+ records: a is running/);
    const st = await d.state();
    assert.equal(st.current.id, 'a');
    assert.equal(st.current.started_at, before.current.started_at);
    await rx.waitCount(3, 4000); // a3 at 5 s, on time
    const a3 = rx.messages[2];
    assert.equal(a3.msg.address, '/a/3');
    assert.ok(Math.abs(a3.at - (before.current.started_at + 5000)) < 150, `a3 off by ${a3.at - (before.current.started_at + 5000)} ms`);
    await waitFor(() => rx.messages.length >= 4, 5000, 'b0 when b follows');
    assert.deepEqual(rx.addresses(), ['/a/0', '/a/1', '/a/3', '/b/0']);
    await waitFor(() => d.asrun().some((x) => x.kind === 'cue' && x.cue === 'a2'), 3000, 'the missed record');
    const a2 = d.asrun().filter((x) => x.kind === 'cue' && x.cue === 'a2');
    assert.deepEqual(a2.map((x) => x.outcome), ['missed']);
    await d.asrunWhen((r) => r.some((x) => x.kind === 'cue' && x.cue === 'b0'), 3000, 'the b0 record');
    for (const id of ['a0', 'a1', 'a3', 'b0'])
      assert.equal(d.asrun().filter((x) => x.kind === 'cue' && x.cue === id && x.outcome === 'sent').length, 1, id);
  } finally {
    assert.equal((await d.stop()).code, 0, d.stderr);
    rx.close();
    d.cleanup();
  }
});

test('after a clean stop the show resumes too; a changed rundown starts clean and says why', async () => {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: show(), targets: { sw: { url: rx.url } } }).start();
  try {
    await d.api('go');
    await rx.waitCount(1);
    await d.api('hold');
    assert.equal((await d.stop()).code, 0);
    await restart(d);
    let st = await d.state();
    assert.equal(st.current.id, 'a');
    assert.equal(st.show.state, 'holding');
    assert.equal((await d.stop()).code, 0);
    const changed = show();
    changed.title = 'Changed';
    writeFileSync(d.showPath, JSON.stringify(changed));
    await restart(d);
    assert.match(d.stderr, /the rundown changed since the last run: starting from the top/);
    st = await d.state();
    assert.equal(st.show.state, 'idle');
    assert.equal(st.current, null);
  } finally {
    assert.equal((await d.stop()).code, 0, d.stderr);
    rx.close();
    d.cleanup();
  }
});
