// The show logic as a device and a screen see it: pre-roll, follow, hard
// starts, hold, add, goto/skip/back, panic, fire, messages, rehearsal, and the
// state pushed over /ws. Cues go to a real OSC/UDP receiver; times are the
// receiver's Date.now() at arrival, checked loosely (TOL = 100 ms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeOfDay } from './lib/daemon.mjs';
import {
  TOL, cue, item, withShow, openClient, arrivals, arrival, near, ok, refused, records, record,
  sleep, waitFor,
} from './lib/show-helpers.mjs';

// The state once item id runs. An automatic start's cue leaves from the cue
// clock's thread, and the loop's tick that starts the item comes within a
// millisecond, later on a loaded machine: a state read at the cue's arrival
// may still show the item before.
async function running(d, id) {
  return waitFor(async () => { const x = await d.state(); return x.current?.id === id ? x : null; }, 1000, `${id} running`);
}

test('pre-roll on a GO item: the -1s cue leaves at the GO, the item starts 1 s later', async () => {
  await withShow({
    items: [item('a', '5s', [cue('a-pre', '-1s'), cue('a-0', '0')])],
  }, async ({ d, rx }) => {
    const [before, after] = await ok(d, 'go');
    const pre = await arrival(rx, '/a-pre');
    assert.ok(pre >= before && pre <= after + TOL, `pre-roll cue at GO: arrived ${pre - before} ms after the GO was sent`);
    assert.equal(arrivals(rx, '/a-0').length, 0, 'the "0" cue must wait for the item start');

    const st = await d.state();
    assert.equal(st.current.id, 'a');
    near(st.current.started_at, pre + 1000, 'current.started_at (GO + pre-roll)');
    assert.equal(st.current.ends_at - st.current.started_at, 5000);

    const zero = await arrival(rx, '/a-0', 2000);
    near(zero, pre + 1000, 'the "0" cue');
    near(zero, st.current.started_at, 'the "0" cue vs started_at');
    assert.equal(arrivals(rx, '/a-pre').length, 1, 'the pre-roll cue fired once');
    const start = await record(d, 'item_start', { item: 'a' });
    assert.equal(start.cause, 'go');
  });
});

test('follow: B starts exactly at A\'s planned end; its pre-roll fires during A on schedule', async () => {
  await withShow({
    items: [
      item('a', '1s', [cue('a-0', '0')]),
      item('b', '3s', [cue('b-pre', '-300ms'), cue('b-0', '0')], 'follow'),
    ],
  }, async ({ d, rx }) => {
    await ok(d, 'go');
    const go = await arrival(rx, '/a-0');
    const s0 = await d.state();
    assert.equal(s0.current.id, 'a');
    assert.equal(s0.next.id, 'b');
    near(s0.next.starts_at, s0.current.started_at + 1000, 'next.starts_at');

    const pre = await arrival(rx, '/b-pre', 2000);
    near(pre, go + 700, 'B\'s -300ms pre-roll (during A)');
    const b0 = await arrival(rx, '/b-0', 2000);
    near(b0, go + 1000, 'B\'s "0" cue');
    assert.ok(pre < b0);

    const st = await running(d, 'b');
    assert.equal(st.current.started_at, s0.current.started_at + 1000, 'B starts at A\'s planned end, to the ms');

    const endA = await record(d, 'item_end', { item: 'a' });
    const startB = await record(d, 'item_start', { item: 'b' });
    assert.equal(startB.actual, endA.actual, 'as-run: B\'s actual start is A\'s actual end');
    assert.equal(startB.cause, 'follow');
    assert.equal(endA.cause, 'follow');
    // The pre-roll was sent while A was still running, not as a catch-up.
    const preRec = await record(d, 'cue', { cue: 'b-pre' });
    assert.equal(preRec.outcome, 'sent');
    assert.ok(Date.parse(preRec.sent) < Date.parse(startB.actual), 'b-pre sent before B started');
  });
});

test('hard start: the item starts by itself at its time of day, pre-roll on schedule, no GO', async () => {
  const at = Date.now() + 2000;
  await withShow({
    onAir: timeOfDay(-60000),
    items: [
      item('intro', '30s', [cue('intro-0', '0')]),
      item('news', '5s', [cue('news-pre', '-500ms'), cue('news-0', '0')], timeOfDay(2000)),
    ],
  }, async ({ d, rx }) => {
    const st0 = await d.state();
    assert.equal(st0.show.state, 'idle');
    assert.equal(st0.items[1].late, false);

    const pre = await arrival(rx, '/news-pre', 4000);
    near(pre, at - 500, 'hard-start item\'s -500ms pre-roll');
    const zero = await arrival(rx, '/news-0', 2000);
    near(zero, at, 'hard-start item\'s "0" cue');

    const st = await running(d, 'news');
    assert.equal(st.show.state, 'running');
    near(st.current.started_at, at, 'current.started_at of the hard start', 5);
    assert.equal(arrivals(rx, '/intro-0').length, 0, 'the GO item was never started');
    const start = await record(d, 'item_start', { item: 'news' });
    assert.equal(start.cause, 'hard_start');
  });
});

test('hard start already past at startup: late, not started, no cues fired retroactively, until GO', async () => {
  await withShow({
    onAir: timeOfDay(-60000),
    items: [
      item('missed', '5s', [cue('missed-pre', '-1s'), cue('missed-0', '0'), cue('missed-300', '300ms')], timeOfDay(-5000)),
      item('after', '5s', [cue('after-0', '0')]),
    ],
  }, async ({ d, rx }) => {
    await sleep(800);
    let st = await d.state();
    assert.equal(st.show.state, 'idle', 'nothing started by itself');
    assert.equal(st.current, null);
    assert.equal(st.items[0].id, 'missed');
    assert.equal(st.items[0].state, 'pending');
    assert.equal(st.items[0].late, true);
    assert.deepEqual(rx.addresses(), [], 'no cue fired retroactively');
    assert.equal(records(d, 'item_start').length, 0);

    const [before] = await ok(d, 'go');
    const pre = await arrival(rx, '/missed-pre');
    const zero = await arrival(rx, '/missed-0', 2000);
    near(pre, before, 'pre-roll at the GO');
    near(zero, pre + 1000, '"0" cue one pre-roll after the GO');
    st = await d.state();
    assert.equal(st.current.id, 'missed');
    assert.equal(st.items[0].late, false);
    await arrival(rx, '/missed-300', 1000);
    assert.deepEqual(rx.addresses(), ['/missed-pre', '/missed-0', '/missed-300']);
  });
});

test('hold freezes the item: its pending cue waits, ends_at moves by the hold, resume fires it on the shifted schedule', async () => {
  await withShow({
    items: [item('a', '5s', [cue('a-0', '0'), cue('a-1s', '1s')])],
  }, async ({ d, rx }) => {
    await ok(d, 'go');
    await arrival(rx, '/a-0');
    const s0 = await d.state();
    const S = s0.current.started_at;
    assert.equal(s0.current.ends_at, S + 5000);
    assert.equal(s0.current.holding, false);

    await sleep(Math.max(0, S + 300 - Date.now()));
    await ok(d, 'hold');
    const held0 = await d.state();
    assert.equal(held0.show.state, 'holding');
    assert.equal(held0.current.holding, true);
    near(held0.current.hold_since, S + 300, 'hold_since');
    await refused(d, 'hold', undefined, 'already_holding');

    await sleep(1500);
    const held1 = await d.state();
    assert.equal(held1.current.holding, true);
    assert.equal(arrivals(rx, '/a-1s').length, 0, 'the 1s cue must not fire while holding');
    // While holding, ends_at is "as if the hold ended now": it keeps moving.
    assert.ok(held1.current.ends_at >= held0.current.ends_at + 1400,
      `ends_at moves during the hold: ${held0.current.ends_at} -> ${held1.current.ends_at}`);

    await ok(d, 'resume');
    const r = await d.state();
    assert.equal(r.show.state, 'running');
    assert.equal(r.current.holding, false);
    const held = r.current.held_ms;
    near(held, 1500, 'held_ms', 150);
    assert.equal(r.current.started_at, S, 'started_at does not move');
    near(r.current.ends_at, S + 5000 + held, 'ends_at after resume', 2);

    const fired = await arrival(rx, '/a-1s', 2000);
    near(fired, S + 1000 + held, 'the 1s cue after resume (start + held + 1 s)');
    await refused(d, 'resume', undefined, 'not_holding');
  });
});

test('add: +2 s moves the end-0.5s cue and the follow item 2 s later; too negative is refused', async () => {
  await withShow({
    items: [
      item('a', '2s', [cue('a-0', '0'), cue('a-end', 'end-0.5s')]),
      item('b', '3s', [cue('b-0', '0')], 'follow'),
    ],
  }, async ({ d, rx }) => {
    await ok(d, 'go');
    await arrival(rx, '/a-0');
    const s0 = await d.state();
    const S = s0.current.started_at;
    await sleep(Math.max(0, S + 200 - Date.now()));
    await ok(d, 'add', { seconds: 2 });
    let st = await d.state();
    assert.equal(st.current.added_ms, 2000);
    assert.equal(st.current.ends_at, S + 4000);
    near(st.next.starts_at, S + 4000, 'next.starts_at after add', 2);

    await refused(d, 'add', { seconds: -10 }, 'negative_duration', 409);
    st = await d.state();
    assert.equal(st.current.added_ms, 2000, 'a refused add changes nothing');
    assert.equal(st.current.ends_at, S + 4000);

    const end = await arrival(rx, '/a-end', 5000);
    near(end, S + 3500, 'end-0.5s cue after +2 s');
    const b0 = await arrival(rx, '/b-0', 2000);
    near(b0, S + 4000, 'follow item\'s start after +2 s');
    assert.equal(arrivals(rx, '/a-end').length, 1);
    // The cue clock sends b-0 on its own thread; the loop's tick that starts b
    // comes within a millisecond, later on a loaded machine: wait for it.
    st = await running(d, 'b');
    assert.equal(st.current.started_at, S + 4000);
    const endA = await record(d, 'item_end', { item: 'a' });
    const startB = await record(d, 'item_start', { item: 'b' });
    assert.equal(startB.actual, endA.actual);
  });
});

test('goto two ahead: the cues of the item jumped over never fire; unknown item is refused', async () => {
  await withShow({
    items: [
      item('one', '600ms', [cue('one-0', '0')]),
      item('two', '600ms', [cue('two-pre', '-200ms'), cue('two-0', '0'), cue('two-300', '300ms')], 'follow'),
      item('three', '5s', [cue('three-0', '0')], 'follow'),
    ],
  }, async ({ d, rx }) => {
    await ok(d, 'go');
    await arrival(rx, '/one-0');
    await ok(d, 'goto', { item: 'three' });
    const three = await arrival(rx, '/three-0', 1000);
    // two would have run from one's end (GO + 600 ms) to GO + 1200 ms.
    await sleep(1500);
    const st = await d.state();
    assert.equal(st.current.id, 'three');
    assert.equal(st.items.find((i) => i.id === 'two').state, 'skipped');
    assert.deepEqual(rx.addresses(), ['/one-0', '/three-0'], 'nothing of two fired');
    assert.ok(three > 0);
    const skipped = await record(d, 'item_skipped', { item: 'two' });
    assert.equal(skipped.cause, 'goto');

    await refused(d, 'goto', { item: 'no-such-item' }, 'unknown_item', 404);
    assert.equal((await d.state()).current.id, 'three');
  });
});

test('skip: a pending item is passed over by the next GO and its cues never fire; the running item cannot be skipped', async () => {
  await withShow({
    items: [
      item('p1', '800ms', [cue('p1-0', '0')]),
      item('p2', '2s', [cue('p2-pre', '-200ms'), cue('p2-0', '0')], 'follow'),
      item('p3', '5s', [cue('p3-0', '0')]),
    ],
  }, async ({ d, rx }) => {
    await ok(d, 'go');
    await arrival(rx, '/p1-0');
    await refused(d, 'skip', { item: 'p1' }, 'item_running');
    await refused(d, 'skip', { item: 'nope' }, 'unknown_item');
    await ok(d, 'skip', { item: 'p2' });
    let st = await d.state();
    assert.equal(st.items.find((i) => i.id === 'p2').state, 'skipped');
    assert.equal(st.next.id, 'p3');

    // p2 would have followed p1 at GO + 800 ms; wait well past it.
    await sleep(1300);
    st = await d.state();
    assert.equal(st.current.id, 'p1', 'p1 runs over: p3 waits for GO');
    assert.deepEqual(rx.addresses(), ['/p1-0']);

    await ok(d, 'go');
    await arrival(rx, '/p3-0');
    await sleep(300);
    st = await d.state();
    assert.equal(st.current.id, 'p3');
    assert.deepEqual(rx.addresses(), ['/p1-0', '/p3-0'], 'p2\'s cues never fired');
    assert.equal(records(d, 'item_start', { item: 'p2' }).length, 0);
  });
});

test('back: after GO to B, back restores A with its started_at unchanged; nothing to undo is refused', async () => {
  await withShow({
    items: [
      item('a', '30s', [cue('a-0', '0')]),
      item('b', '30s', [cue('b-0', '0')]),
    ],
  }, async ({ d, rx }) => {
    await refused(d, 'back', undefined, 'nothing_back');
    await ok(d, 'go');
    await arrival(rx, '/a-0');
    const sa = (await d.state()).current;
    assert.equal(sa.id, 'a');
    await sleep(350); // past go_guard
    await ok(d, 'go');
    await arrival(rx, '/b-0');
    assert.equal((await d.state()).current.id, 'b');

    await ok(d, 'back');
    const st = await d.state();
    assert.equal(st.current.id, 'a');
    assert.equal(st.current.started_at, sa.started_at, 'A runs again from its old start');
    assert.equal(st.current.ends_at, sa.ends_at);
    assert.equal(st.items.find((i) => i.id === 'b').state, 'pending');
    assert.equal(st.next.id, 'b');
    await sleep(300);
    assert.deepEqual(rx.addresses(), ['/a-0', '/b-0'], 'back re-fires nothing');
    const restored = await record(d, 'item_restored', { item: 'a' });
    assert.equal(restored.cause, 'back');

    await refused(d, 'back', undefined, 'nothing_back');
  });
});

test('panic: pending cues never fire, the show holds, as-run says skipped, the target\'s panic payload arrives', async () => {
  await withShow({
    items: [
      item('a', '1s', [cue('a-0', '0'), cue('a-400', '400ms'), cue('a-end', 'end-200ms')]),
      item('b', '3s', [cue('b-pre', '-100ms'), cue('b-0', '0')], 'follow'),
    ],
  }, async ({ d, rx }) => {
    await ok(d, 'go');
    await arrival(rx, '/a-0');
    await ok(d, 'panic');
    await arrival(rx, '/panic', 1000);
    let st = await d.state();
    assert.equal(st.show.state, 'panic'); // a state of its own, until GO, goto or resume
    assert.equal(st.current.id, 'a');
    assert.equal(st.current.holding, true);

    // a-400, a-end, b-pre and b-0 were all due within 1.1 s of the GO.
    await sleep(1500);
    st = await d.state();
    assert.equal(st.show.state, 'panic', 'nothing starts by itself after panic');
    assert.equal(st.current.id, 'a');
    assert.deepEqual(rx.addresses(), ['/a-0', '/panic']);

    const log = d.asrun();
    for (const id of ['a-400', 'a-end', 'b-pre', 'b-0']) {
      const recs = log.filter((r) => r.kind === 'cue' && r.cue === id);
      assert.ok(recs.length >= 1, `as-run has cue ${id}: ${JSON.stringify(log.filter((r) => r.kind === 'cue'))}`);
      assert.ok(recs.every((r) => r.outcome === 'skipped'), `${id} skipped: ${JSON.stringify(recs)}`);
      assert.equal(recs[0].sent, null);
    }
    const pm = log.find((r) => r.kind === 'daemon' && r.event === 'panic_message');
    assert.ok(pm, 'as-run records the panic message');
    assert.equal(pm.target, 'sw');
    assert.equal(records(d, 'item_start', { item: 'b' }).length, 0);
    // Resume ends the panic.
    await ok(d, 'resume');
    st = await d.state();
    assert.equal(st.show.state, 'running');
  });
});

test('fire: re-fires a cue by id at once, even one already fired; unknown cue is refused', async () => {
  await withShow({
    items: [item('a', '30s', [cue('a-cut', '0'), cue('a-later', '20s')])],
  }, async ({ d, rx }) => {
    await ok(d, 'go');
    await arrival(rx, '/a-cut');
    const [before, after] = await ok(d, 'fire', { cue: 'a-cut' });
    const again = await arrival(rx, '/a-cut', 1000, 2);
    assert.ok(again >= before && again <= after + TOL, `re-fire arrived ${again - before} ms after the command`);
    await sleep(200);
    assert.equal(arrivals(rx, '/a-cut').length, 2, 'fired exactly once more');
    const recs = records(d, 'cue', { cue: 'a-cut' });
    assert.equal(recs.length, 2);
    assert.ok(recs.every((r) => r.outcome === 'sent'));

    await refused(d, 'fire', { cue: 'no-such-cue' }, 'unknown_cue', 404);
    await sleep(100);
    assert.equal(rx.messages.length, 2);
    assert.equal((await d.state()).current.id, 'a', 'fire does not move the show');
  });
});

test('message, clear_message and rehearsal show in /api/state, in the /ws push and in the as-run', async () => {
  await withShow({
    items: [item('a', '30s', [cue('a-0', '0')])],
  }, async ({ d, rx }) => {
    const c = await openClient(d);
    await waitFor(() => c.states.length >= 1, 2000, 'a first state');
    assert.equal(c.last.message, null);
    assert.equal((await d.state()).message, null);

    const rep = await c.cmd('message', { text: 'WRAP', color: 'red' });
    assert.equal(rep.ok, true, JSON.stringify(rep));
    let st = await d.state();
    assert.equal(st.message.text, 'WRAP');
    assert.equal(st.message.color, 'red');
    await waitFor(() => c.last.message && c.last.message.text === 'WRAP', 500, 'the message pushed over /ws');
    assert.equal(c.last.message.color, 'red');

    await ok(d, 'clear_message');
    assert.equal((await d.state()).message, null);
    await waitFor(() => c.last.message === null, 500, 'the cleared message pushed over /ws');

    assert.equal(st.show.rehearsal, false);
    await ok(d, 'rehearsal', { on: true });
    st = await d.state();
    assert.equal(st.show.rehearsal, true);
    await waitFor(() => c.last.show.rehearsal === true, 500, 'rehearsal pushed over /ws');

    const mark = d.asrun().length;
    await ok(d, 'go');
    await arrival(rx, '/a-0');
    await record(d, 'cue', { cue: 'a-0' });
    // The log is written asynchronously: wait for the records that follow the cue.
    await record(d, 'item_start', { item: 'a' });
    await record(d, 'command', { cmd: 'go' });
    const later = d.asrun().slice(mark);
    assert.ok(later.some((r) => r.kind === 'item_start') && later.some((r) => r.kind === 'cue') && later.some((r) => r.kind === 'command'));
    for (const r of later) assert.equal(r.rehearsal, true, `rehearsal flag on ${JSON.stringify(r)}`);
  });
});

test('state push: a state within 100 ms of a GO, heartbeats at least once a second, absolute deadlines', async () => {
  await withShow({
    items: [item('a', '3s', [cue('a-0', '0')])],
  }, async ({ d, rx }) => {
    const c = await openClient(d, { control: false });
    await waitFor(() => c.stamped.length >= 1, 2000, 'a first state');
    // Idle: heartbeats only.
    const idleFrom = Date.now();
    const n0 = c.stamped.length;
    await sleep(2500);
    const idle = c.stamped.slice(n0).filter((s) => s.at >= idleFrom);
    assert.ok(idle.length >= 2, `heartbeats while idle: ${idle.length} states in 2.5 s`);
    for (const s of idle) {
      assert.equal(s.state.show.state, 'idle');
      assert.equal(s.state.current, null);
      near(s.state.server_time, s.at, 'server_time vs arrival (idle)');
    }
    for (let i = 1; i < idle.length; i++)
      assert.ok(idle[i].at - idle[i - 1].at <= 1000 + TOL, `gap between heartbeats ${idle[i].at - idle[i - 1].at} ms`);

    const n1 = c.stamped.length;
    const [before, after] = await ok(d, 'go');
    const pushed = await waitFor(() => c.stamped.slice(n1).find((s) => s.state.show.state === 'running'), 1000, 'a running state');
    assert.ok(pushed.at - after <= TOL, `state pushed ${pushed.at - after} ms after the GO reply (${pushed.at - before} ms after sending it)`);
    const cur = pushed.state.current;
    assert.equal(cur.id, 'a');
    assert.ok(cur.started_at >= before - 5 && cur.started_at <= after + 5, `started_at ${cur.started_at} within the GO [${before}, ${after}]`);
    assert.equal(cur.ends_at - cur.started_at, 3000, 'ends_at - started_at == duration');
    assert.equal(cur.duration_ms, 3000);
    const cutAt = await arrival(rx, '/a-0');
    near(cur.started_at, cutAt, 'started_at vs the cue at 0');

    // Running: heartbeats keep coming, every one with the same deadlines.
    const runFrom = Date.now();
    await sleep(2200);
    const running = c.stamped.filter((s) => s.at >= runFrom);
    assert.ok(running.length >= 2, `heartbeats while running: ${running.length}`);
    for (const s of running) {
      assert.equal(typeof s.state.server_time, 'number');
      near(s.state.server_time, s.at, 'server_time vs arrival (running)');
      assert.equal(s.state.current.started_at, cur.started_at);
      assert.equal(s.state.current.ends_at, cur.ends_at);
    }
  });
});

test('ping over /ws gets a prompt pong with t and server_time', async () => {
  await withShow({ items: [item('a', '30s', [])] }, async ({ d }) => {
    const c = await openClient(d, { control: false });
    const sent = Date.now();
    c.sendRaw(JSON.stringify({ cmd: 'ping', t: 123 }));
    const pong = await waitFor(() => c.events.find((m) => m.type === 'pong'), 1000, 'a pong');
    const got = Date.now();
    assert.ok(got - sent <= TOL, `pong after ${got - sent} ms`);
    assert.equal(pong.t, 123);
    assert.equal(typeof pong.server_time, 'number');
    assert.ok(pong.server_time >= sent - 5 && pong.server_time <= got + 5, `server_time ${pong.server_time} within [${sent}, ${got}]`);
  });
});
