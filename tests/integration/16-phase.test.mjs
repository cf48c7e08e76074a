// The countdown's display phase both web pages draw (clients/web/js/phase.js), with made-up
// times and no daemon or DOM: every phase, the open-ended rule, and the over/under sign.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPanic, itemTime, overUnder, phaseLabel, phaseOf } from '../../clients/web/js/phase.js';

const START = 1_700_000_000_000;

// A 60 s item started at START: warn from 10 s left, critical from 3 s left.
function item(over = {}) {
  const c = {
    started_at: START, duration_ms: 60000, added_ms: 0, holding: false,
    warn_ms: 10000, critical_ms: 3000, ...over,
  };
  if (c.ends_at === undefined) c.ends_at = c.started_at + c.duration_ms + c.added_ms;
  return c;
}
// The time at which `c` has `rem` ms left.
const left = (c, rem) => c.ends_at - rem;

test('preroll: before started_at, with the whole length as the remaining time', () => {
  const c = item();
  assert.deepEqual(phaseOf(c, START - 1500), { phase: 'preroll', rem: 60000 });
  // Holding during the pre-roll is still the pre-roll.
  assert.deepEqual(phaseOf(item({ holding: true }), START - 1), { phase: 'preroll', rem: 60000 });
  assert.equal(phaseLabel('preroll', c, START - 1500), 'STARTS IN 0:01.5');
});

test('running, warn and critical by the remaining time', () => {
  const c = item();
  assert.deepEqual(phaseOf(c, START), { phase: 'running', rem: 60000 });
  assert.deepEqual(phaseOf(c, left(c, 10001)), { phase: 'running', rem: 10001 });
  assert.deepEqual(phaseOf(c, left(c, 10000)), { phase: 'warn', rem: 10000 });
  assert.deepEqual(phaseOf(c, left(c, 3001)), { phase: 'warn', rem: 3001 });
  assert.deepEqual(phaseOf(c, left(c, 3000)), { phase: 'critical', rem: 3000 });
  assert.deepEqual(phaseOf(c, left(c, 0)), { phase: 'critical', rem: 0 });
  for (const p of ['running', 'warn', 'critical']) assert.equal(phaseLabel(p, c, START), '', p);
});

test('over: past the deadline of an item with a duration', () => {
  const c = item();
  assert.deepEqual(phaseOf(c, left(c, -1)), { phase: 'over', rem: -1 });
  assert.deepEqual(phaseOf(c, left(c, -45000)), { phase: 'over', rem: -45000 });
  assert.equal(phaseLabel('over', c, left(c, -1)), 'OVER');
});

test('hold: holding wins over running, critical and over', () => {
  for (const rem of [30000, 2000, -5000]) {
    const c = item({ holding: true });
    assert.deepEqual(phaseOf(c, left(c, rem)), { phase: 'hold', rem }, `${rem} ms left`);
  }
  assert.equal(phaseLabel('hold', item({ holding: true }), START), 'HOLD');
});

test('while holding the item clock reads the state time, else the page time', () => {
  const st = { server_time: START + 5000, current: item({ holding: true }) };
  assert.equal(itemTime(st, START + 9000), START + 5000);
  assert.equal(itemTime({ ...st, current: item() }, START + 9000), START + 9000);
  assert.equal(itemTime({ server_time: START + 5000, current: null }, START + 9000), START + 9000);
});

test('open: duration 0 and no added time has no deadline to be over', () => {
  const c = item({ duration_ms: 0, warn_ms: 0, critical_ms: 0 });
  assert.equal(c.ends_at, START);
  assert.deepEqual(phaseOf(c, START + 1), { phase: 'open', rem: -1 });
  assert.deepEqual(phaseOf(c, START + 600000), { phase: 'open', rem: -600000 });
  assert.equal(phaseLabel('open', c, START + 1), '');
});

test('over: duration 0 with time added is over once past its end', () => {
  const c = item({ duration_ms: 0, added_ms: 30000, warn_ms: 0, critical_ms: 0 });
  assert.equal(c.ends_at, START + 30000);
  assert.deepEqual(phaseOf(c, START + 10000), { phase: 'running', rem: 20000 });
  assert.deepEqual(phaseOf(c, START + 30001), { phase: 'over', rem: -1 });
  assert.deepEqual(phaseOf(c, START + 40000), { phase: 'over', rem: -10000 });
  // Time taken away again (added_ms back to 0 or below) leaves it open-ended.
  const cut = item({ duration_ms: 0, added_ms: -5000, ends_at: START - 5000 });
  assert.deepEqual(phaseOf(cut, START), { phase: 'open', rem: -5000 });
});

test('a threshold of 0 is off: not warn (nor critical) at the deadline', () => {
  const none = item({ warn_ms: 0, critical_ms: 0 });
  assert.deepEqual(phaseOf(none, left(none, 0)), { phase: 'running', rem: 0 });
  assert.deepEqual(phaseOf(none, left(none, 1)), { phase: 'running', rem: 1 });
  const warnOnly = item({ critical_ms: 0 });
  assert.deepEqual(phaseOf(warnOnly, left(warnOnly, 0)), { phase: 'warn', rem: 0 });
  const critOnly = item({ warn_ms: 0 });
  assert.deepEqual(phaseOf(critOnly, left(critOnly, 3001)), { phase: 'running', rem: 3001 });
  assert.deepEqual(phaseOf(critOnly, left(critOnly, 3000)), { phase: 'critical', rem: 3000 });
});

test('over/under sign: more than 999 ms either way', () => {
  assert.equal(overUnder(-1000), 'under');
  assert.equal(overUnder(-999), 'even');
  assert.equal(overUnder(0), 'even');
  assert.equal(overUnder(999), 'even');
  assert.equal(overUnder(1000), 'over');
  // No figure yet: the pages' sign hook reads even.
  assert.equal(overUnder(null), 'even');
});

test('panic: show.state "panic" wins over every phase of the item, the number stays', () => {
  // The daemon holds the running item at a panic: holding is true, the clock stands.
  for (const rem of [30000, 8000, 2000, -5000]) {
    const c = item({ holding: true });
    assert.deepEqual(phaseOf(c, left(c, rem), 'panic'), { phase: 'panic', rem }, `${rem} ms left`);
  }
  // Even if an item were not holding (or still in its pre-roll), panic is what shows.
  const c = item();
  assert.deepEqual(phaseOf(c, left(c, 2000), 'panic'), { phase: 'panic', rem: 2000 });
  assert.deepEqual(phaseOf(c, START - 1500, 'panic'), { phase: 'panic', rem: 60000 });
  assert.equal(phaseLabel('panic', c, START), 'PANIC');
  // Open-ended items too.
  const open = item({ duration_ms: 0, warn_ms: 0, critical_ms: 0, holding: true });
  assert.equal(phaseOf(open, START + 5000, 'panic').phase, 'panic');
});

test('panic is not hold: other show states leave the item phase alone', () => {
  const held = item({ holding: true });
  for (const s of ['running', 'holding', 'idle', 'ended', undefined, null]) {
    assert.equal(phaseOf(held, left(held, 30000), s).phase, 'hold', String(s));
  }
  assert.equal(phaseLabel('hold', held, START), 'HOLD');
  assert.notEqual(phaseLabel('panic', held, START), phaseLabel('hold', held, START));
});

test('isPanic: the show state, with or without an item running', () => {
  assert.equal(isPanic({ show: { state: 'panic' }, current: item({ holding: true }) }), true);
  assert.equal(isPanic({ show: { state: 'panic' }, current: null }), true);
  for (const s of ['running', 'holding', 'idle', 'ended']) assert.equal(isPanic({ show: { state: s } }), false, s);
  // Before the first state, or from a daemon that does not send it.
  assert.equal(isPanic(null), false);
  assert.equal(isPanic({}), false);
});
