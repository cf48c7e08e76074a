// The running item's display phase and the over/under sign, one rule for the stage and producer views.
import { countdown } from './format.js';

// PANIC is a state of the show, not of the item: after a panic the daemon sends
// show.state "panic" until GO, goto, back or resume; the item that was running (if any)
// holds meanwhile, and nothing fires or starts by itself.
export function isPanic(st) {
  return !!(st && st.show && st.show.state === 'panic');
}

// The time the item's clock reads at `now`. While holding, the end (and the next start) moves
// with the clock, so the remaining time is the one at the state's send time.
export function itemTime(st, now) {
  return st.current && st.current.holding ? st.server_time : now;
}

// The phase of the running item `c` (the state's `current`) at `t` (from itemTime), and its
// remaining ms: { phase, rem }. showState (the state's show.state) "panic" wins over every
// phase of the item: the number stays (it is where the item stands), the phase is 'panic'.
export function phaseOf(c, t, showState = null) {
  const r = itemPhase(c, t);
  return showState === 'panic' ? { phase: 'panic', rem: r.rem } : r;
}

function itemPhase(c, t) {
  // GO pre-roll: the item's clock starts when its earliest cue has had its lead; until then
  // it shows its whole length.
  if (t < c.started_at) return { phase: 'preroll', rem: c.ends_at - c.started_at };
  const rem = c.ends_at - t;
  let phase = 'running';
  if (c.holding) phase = 'hold';
  // No duration and no time added: open-ended, there is no deadline to be over. Added time
  // gives it one.
  else if (rem < 0) phase = c.duration_ms === 0 && c.added_ms <= 0 ? 'open' : 'over';
  // A threshold of 0 is off, not "at the deadline".
  else if (c.critical_ms > 0 && rem <= c.critical_ms) phase = 'critical';
  else if (c.warn_ms > 0 && rem <= c.warn_ms) phase = 'warn';
  return { phase, rem };
}

// The words both views show for a phase: the pre-roll's lead, HOLD, OVER, PANIC; '' for the
// rest (each view names the others, or not, itself).
export function phaseLabel(phase, c, t) {
  if (phase === 'preroll') return `STARTS IN ${countdown(c.started_at - t, 'tenths')}`;
  return { hold: 'HOLD', over: 'OVER', panic: 'PANIC' }[phase] || '';
}

// Over, under or even for a signed ms difference: more than 999 ms either way counts, the
// rest is even. null (no figure yet) is even too, so the sign hook is never missing.
export function overUnder(ms) {
  return ms > 999 ? 'over' : ms < -999 ? 'under' : 'even';
}
