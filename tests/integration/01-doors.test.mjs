// The three doors (websocket, HTTP, OSC) drive one dispatcher: GO from each
// makes a cue arrive at a real OSC receiver; replies have the brief's shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, assertAcked, rundown, sleep, waitFor } from './lib/daemon.mjs';
import { UdpReceiver, Client, OscClient, oscsend } from './lib/peers.mjs';

// Three GO items, each with a cue at its start.
function threeItems() {
  return rundown({
    items: ['one', 'two', 'three'].map((id) => ({
      id, title: id, duration: '30s',
      cues: [{ id: `${id}-cut`, at: '0', target: 'sw', osc: { address: `/cut/${id}` } }],
    })),
  });
}

async function setup() {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: threeItems(), targets: { sw: { url: rx.url } } }).start();
  return { rx, d };
}

test('GO over HTTP, websocket and OSC each start the next item and fire its cue', async () => {
  const { rx, d } = await setup();
  try {
    let r = await d.api('go');
    assert.equal(r.status, 200);
    assertAcked(r.body);
    await rx.waitCount(1);
    assert.equal(rx.messages[0].msg.address, '/cut/one');

    await sleep(350); // past go_guard
    const c = await new Client(`${d.wsUrl}?token=${d.token}`).open();
    const rep = await c.cmd('go');
    assertAcked(rep, 'the websocket reply');
    await rx.waitCount(2);
    assert.equal(rx.messages[1].msg.address, '/cut/two');

    await sleep(350);
    const o = await new OscClient().start();
    o.send(d.osc, '/showcaller/go');
    const reply = await o.reply();
    assert.deepEqual(reply.args.map((a) => a.value), ['go', 1, '', '']);
    await rx.waitCount(3);
    assert.equal(rx.messages[2].msg.address, '/cut/three');

    const st = await d.state();
    assert.equal(st.current.id, 'three');
    c.close();
    o.close();
  } finally {
    const ex = await d.stop();
    rx.close();
    assert.equal(ex.code, 0, d.stderr);
    assert.match(d.stderr, /stopped cleanly/);
    d.cleanup();
  }
});

test('liblo oscsend drives the show: goto with a string argument', async () => {
  const { rx, d } = await setup();
  try {
    await oscsend(d.osc, '/showcaller/goto', 's', 'three');
    await rx.waitCount(1);
    assert.equal(rx.messages[0].msg.address, '/cut/three');
    assert.equal((await d.state()).current.id, 'three');
  } finally {
    await d.stop();
    rx.close();
    d.cleanup();
  }
});

test('a second GO inside go_guard is refused and says so', async () => {
  const { rx, d } = await setup();
  try {
    assert.equal((await d.api('go')).status, 200);
    const r = await d.api('go');
    assert.equal(r.status, 429);
    assert.equal(r.body.ok, false);
    assert.equal(r.body.error.code, 'go_guard');
    assert.match(r.body.error.message, /go_guard/);
    await sleep(200);
    assert.equal(rx.messages.length, 1);
    assert.equal((await d.state()).current.id, 'one');
  } finally {
    await d.stop();
    rx.close();
    d.cleanup();
  }
});

test('control is refused without the token on every door; the show is untouched and it is logged', async () => {
  const { rx, d } = await setup();
  try {
    // A wrong token on the websocket first: that refusal is logged in full.
    const c = await new Client(d.wsUrl).open();
    let rep = await c.cmd('auth', { token: 'nope' });
    assert.equal(rep.ok, false);
    assert.equal(rep.error.code, 'unauthorized');
    let r = await d.api('go', undefined, null);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'unauthorized');
    r = await d.api('go', undefined, 'wrong-token');
    assert.equal(r.status, 401);
    rep = await c.cmd('go');
    assert.equal(rep.ok, false);
    assert.equal(rep.error.code, 'unauthorized');
    rep = await c.cmd('auth', { token: d.token });
    assert.equal(rep.ok, true);
    c.close();

    await sleep(200);
    assert.equal(rx.messages.length, 0);
    assert.equal((await d.state()).show.state, 'idle');
    // Every refusal is answered; from one address only the first in 2 s is
    // logged in full (the token never is), the rest in one summary record
    // when the 2 s end, so that a flood cannot fill the disk.
    const log = await d.asrunWhen((rs) => rs.some((x) => x.kind === 'daemon' && x.event === 'refusals'), 5000);
    const refusals = log.filter((x) => x.kind === 'command' && x.ok === false);
    assert.equal(refusals.length, 1);
    assert.equal(refusals[0].cmd, 'auth');
    assert.equal(refusals[0].door, 'ws');
    assert.deepEqual(refusals[0].args, {});
    assert.equal(refusals[0].error.code, 'unauthorized');
    assert.ok(!JSON.stringify(log).includes('nope'));
    const sum = log.find((x) => x.kind === 'daemon' && x.event === 'refusals');
    assert.equal(sum.refused, 4);
    assert.equal(sum.told, 1);
    assert.equal(sum.sources, 1);
    assert.equal(sum.interval_ms, 2000);
    assert.match(sum.message, /^4 refused from 1 source in the last 2 s \(1 told one by one\)$/);
    assert.match(d.stderr, /refused auth from ws 127\.0\.0\.1:\d+: that token is not valid here/);
  } finally {
    await d.stop();
    rx.close();
    d.cleanup();
  }
});

test('OSC control from an address outside osc.allow is refused', async () => {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({
    show: threeItems(), targets: { sw: { url: rx.url } },
    config: { osc: { listen: '127.0.0.1:0', allow: ['10.9.9.9'] } },
  });
  try {
    await d.start();
    // start() overwrote osc.listen with the free port; the allow list is ours.
    const o = await new OscClient().start();
    o.send(d.osc, '/showcaller/go');
    const reply = await o.reply();
    assert.deepEqual(reply.args.map((a) => a.value).slice(0, 3), ['go', 0, 'unauthorized']);
    await sleep(100);
    assert.equal(rx.messages.length, 0);
    o.close();
  } finally {
    await d.stop();
    rx.close();
    d.cleanup();
  }
});

test('OSC feedback: a subscriber gets the running item on every change and each second', async () => {
  const { rx, d } = await setup();
  try {
    const o = await new OscClient().start();
    o.send(d.osc, '/showcaller/subscribe');
    const rep = await o.reply();
    assert.deepEqual(rep.args.map((a) => a.value), ['subscribe', 1, '', '']);
    await d.api('go');
    const running = await waitFor(() => o.messages.find((m) => m.address === '/showcaller/running' && m.args[0].value === 'running'), 3000, '/showcaller/running');
    const [state, item, title, remaining, next] = running.args;
    assert.equal(state.type, 's');
    assert.equal(item.value, 'one');
    assert.equal(title.value, 'one');
    assert.equal(remaining.type, 'f');
    assert.ok(remaining.value > 28 && remaining.value <= 30, `remaining ${remaining.value}`);
    assert.equal(next.value, 'two');
    const before = o.messages.filter((m) => m.address === '/showcaller/running').length;
    await sleep(1300);
    assert.ok(o.messages.filter((m) => m.address === '/showcaller/running').length > before);
    o.close();
  } finally {
    assert.equal((await d.stop()).code, 0);
    rx.close();
    d.cleanup();
  }
});

test('SIGHUP with a good rundown swaps it in while the show runs', async () => {
  const { rx, d } = await setup();
  try {
    await d.api('go');
    await rx.waitCount(1);
    const { writeFileSync } = await import('node:fs');
    const next = threeItems();
    next.items[1].title = 'Two, retitled';
    writeFileSync(d.showPath, JSON.stringify(next));
    d.kill('SIGHUP');
    await waitFor(async () => (await d.get('/api/rundown')).json.items[1].title === 'Two, retitled', 3000, 'the new rundown');
    const st = await d.state();
    assert.equal(st.current.id, 'one');
    assert.equal(rx.messages.length, 1);
    const log = await d.asrunWhen((r) => r.some((x) => x.kind === 'command' && x.cmd === 'reload'));
    const cmd = log.find((x) => x.kind === 'command' && x.cmd === 'reload');
    assert.equal(cmd.door, 'signal');
    assert.equal(cmd.ok, true);
  } finally {
    assert.equal((await d.stop()).code, 0);
    rx.close();
    d.cleanup();
  }
});
