// The stage view (/stage): the running item's countdown for tablets on the floor, drawn
// at display rate from the daemon's absolute deadlines and the page's clock offset.
import { Connection } from './conn.js';
import { localNow } from './clock.js';
import { countdown, duration, signed, timeOfDay } from './format.js';
import { mountHealth } from './health.js';
import { setText } from './dom.js';
import { fitter, shrinker } from './fit.js';
import { messageBanner } from './message.js';
import { isPanic, itemTime, overUnder, phaseLabel, phaseOf } from './phase.js';
import { fetchRundown } from './rundown.js';
import { tokenFromUrl, setToken } from './token.js';
import { keepAwake } from './wakelock.js';

const MODE_KEY = 'showcaller.stage.mode';
const $ = (id) => document.getElementById(id);

let token = tokenFromUrl();
let fps = 25;
let mode = 'tenths';
try { mode = localStorage.getItem(MODE_KEY) === 'frames' ? 'frames' : 'tenths'; } catch { /* default */ }

const el = {
  title: $('title'), label: $('label'), count: $('countdown'), countbox: $('countbox'),
  flag: $('flag'), nextTitle: $('next-title'), nextWhen: $('next-when'), tod: $('tod'),
  offair: $('offair'), offairKey: $('offair-key'), overunder: $('overunder'), mode: $('mode'), fs: $('fullscreen'),
  notes: $('notes'), lock: $('lock'), lockForm: $('lock-form'), lockInput: $('lock-token'),
  wake: $('wake'), lockError: $('lock-error'),
};
const fit = fitter(el.count, el.countbox);
// Long titles wrap and shrink to fit their two lines; they are never cut.
const title = shrinker(el.title, { minPx: 16 });
const banner = messageBanner($('message'));

async function loadRundown() {
  const r = await fetchRundown(token);
  if (r && r.fps > 0) fps = r.fps;
}

// Once per connection, on its first state: by then a view token, if needed, was accepted.
let rundownWanted = true;
const conn = new Connection({
  token,
  onOpen: () => { rundownWanted = true; },
  onState: () => { if (rundownWanted) { rundownWanted = false; loadRundown(); } },
  onEvent: (e) => { if (e.type === 'auth' && !e.ok) el.lockError.hidden = false; },
  onStatus: (s) => { el.lock.hidden = s !== 'locked'; },
}).start();
mountHealth($('health'), conn);

el.lockForm.addEventListener('submit', (e) => {
  e.preventDefault();
  token = el.lockInput.value.trim();
  setToken(token);
  conn.setToken(token);
});
el.lockInput.addEventListener('input', () => { el.lockError.hidden = true; });

function showMode() {
  el.mode.textContent = mode === 'frames' ? 'FRAMES' : 'TENTHS';
  el.mode.setAttribute('aria-pressed', String(mode === 'frames'));
}
showMode();
el.mode.addEventListener('click', () => {
  mode = mode === 'frames' ? 'tenths' : 'frames';
  try { localStorage.setItem(MODE_KEY, mode); } catch { /* for this page only */ }
  showMode();
});

if (document.fullscreenEnabled) {
  el.fs.addEventListener('click', () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen().catch(() => {});
  });
} else {
  el.fs.hidden = true;
}

keepAwake((s) => { el.wake.textContent = `screen ${s === 'on' ? 'kept on' : s}`; el.wake.dataset.state = s; });

// What the big number shows now: { rem (ms or null), phase, label, text (instead of a number) }.
function current(st, now) {
  if (!st) return { rem: null, phase: 'idle', label: '', text: 'CONNECTING' };
  const c = st.current;
  if (c) {
    const t = itemTime(st, now);
    const { phase, rem } = phaseOf(c, t, st.show.state);
    // Only the stage names an open-ended item; the producer shows no word for it.
    const label = phase === 'open' ? 'OPEN ENDED' : phaseLabel(phase, c, t);
    return { rem, phase, label };
  }
  if (st.show.state === 'ended') return { rem: null, phase: 'ended', label: '', text: 'SHOW ENDED' };
  // A panic with nothing on air: still a panic, not a standby.
  if (isPanic(st)) return { rem: null, phase: 'panic', label: 'PANIC', text: 'PANIC' };
  const n = st.next;
  if (n && n.start_rule !== 'go' && n.starts_at > now) {
    return { rem: n.starts_at - now, phase: 'start', label: `UNTIL ${n.start_rule === 'time' ? 'HARD START' : 'START'}` };
  }
  return { rem: null, phase: 'standby', label: '', text: 'STANDBY' };
}

function nextWhen(st, now) {
  const n = st.next;
  // While holding, the next start moves with the hold: count from the state's own time.
  now = itemTime(st, now);
  const parts = [];
  if (n.starts_at > now + 500) parts.push(`in ${duration(Math.ceil((n.starts_at - now) / 1000) * 1000)}`);
  if (n.start_rule === 'go') parts.push(st.current ? `on GO \u00b7 ~${timeOfDay(n.starts_at)}` : 'on GO');
  else if (n.start_rule === 'time') parts.push(`hard start ${timeOfDay(n.starts_at)}`);
  else parts.push(`follows \u00b7 ${timeOfDay(n.starts_at)}`);
  return parts.join(' \u00b7 ');
}

function frame() {
  requestAnimationFrame(frame);
  const local = localNow();
  const now = local + conn.clock.offsetInUse;
  const st = conn.state;
  const { rem, phase, label, text } = current(st, now);

  const ds = el.count.dataset;
  ds.phase = phase;
  ds.conn = conn.status;
  ds.drawnAt = local.toFixed(2);
  if (rem === null) {
    delete ds.remainingMs;
    fit(text, 0.6);
  } else {
    ds.remainingMs = rem.toFixed(2);
    fit(countdown(rem, mode, fps));
  }
  document.body.dataset.phase = phase;
  setText(el.label, label);

  const stale = conn.status !== 'live' && conn.status !== 'locked';
  document.body.classList.toggle('stale', stale);
  el.flag.hidden = !stale;
  if (stale) {
    const silent = conn.lastStateAt ? Math.floor((local - conn.lastStateAt) / 1000) : null;
    el.flag.textContent = conn.status === 'stale'
      ? `STALE \u00b7 no data for ${silent ?? '?'} s`
      : conn.status === 'disconnected' ? 'DISCONNECTED \u00b7 reconnecting' : 'CONNECTING';
  }

  setText(el.tod, timeOfDay(now));
  if (!st) return;
  title(st.current ? st.current.title : st.show.title);
  $('rehearsal').hidden = !st.show.rehearsal;
  const notes = st.current && st.current.notes ? st.current.notes : '';
  if (el.notes.textContent !== notes) setText(el.notes, notes);
  if (st.next) {
    setText(el.nextTitle, st.next.title);
    setText(el.nextWhen, nextWhen(st, now));
  } else {
    setText(el.nextTitle, st.show.state === 'ended' ? '' : '\u2014');
    setText(el.nextWhen, '');
  }
  const off = st.show.off_air;
  setText(el.offairKey, off != null && off < now ? 'PAST OFF AIR' : 'TO OFF AIR');
  setText(el.offair, off == null ? '\u2014' : off >= now ? duration(Math.ceil((off - now) / 1000) * 1000) : signed(now - off));
  el.offair.dataset.sign = off != null && off < now ? 'over' : '';
  const ou = st.show.over_under_ms;
  const sign = overUnder(ou);
  setText(el.overunder, ou == null ? '' : `${signed(ou)} ${sign === 'even' ? '' : sign}`.trim());
  el.overunder.dataset.sign = sign;
  banner(st.message, now);
}
requestAnimationFrame(frame);
