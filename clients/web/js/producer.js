// The producer view (/producer): the rundown merged with live state, GO and every other
// command over the websocket, the cue log, target states and the daemon's errors.
import { Connection } from './conn.js';
import { localNow } from './clock.js';
import { countdown, cueAt, duration, micros, millis, signed, timeOfDay } from './format.js';
import { mountHealth } from './health.js';
import { setText } from './dom.js';
import { MESSAGE_COLORS, messageBanner } from './message.js';
import { isPanic, itemTime, overUnder, phaseLabel, phaseOf } from './phase.js';
import { fetchRundown, sameItems } from './rundown.js';
import { tokenFromUrl, setToken } from './token.js';
import { showAlert, clearAlert, clearAlerts, hasAlert } from './alerts.js';
import { shrinkToFit, shrinker } from './fit.js';

const $ = (id) => document.getElementById(id);
const RUNDOWN_REFRESH_MS = 20000;
const PANIC_CONFIRM_MS = 4000;
const PRESETS = [
  ['WRAP', 'red'], ['30 SECONDS', 'amber'], ['STRETCH', 'green'], ['SPEED UP', 'amber'], ['STAND BY', 'blue'],
];

let token = tokenFromUrl();
let rundown = null;
let rundownAt = 0;
let selectedId = null;
let selectedByHand = false;
let rows = new Map(); // item id -> { tr, cells }
let cueKey = '';
let targetKey = '';
let scrolledTo = null;
// Device answers already seen (cue log entries answered "error" or "timeout"), so each raises
// one alert; null until the first state, whose entries are history and raise none.
let seenBad = null;
const lastBad = new Map(); // target name -> its latest bad answer {answer, detail, cue, at}
const alerted = new Map(); // target name -> the entries its alert shows
const ANSWER_ALERT_MS = 15000;
const ALERT_LINES = 5;
const DETAIL_CHARS = 120; // the visible (shortened) detail; the whole of it is in the tooltip

// Once per connection, on its first state: by then a view token, if needed, was accepted.
let rundownWanted = true;
const conn = new Connection({
  token,
  // A new connection: what was refused before it is history (a "disconnected" refusal above all).
  onOpen: () => { rundownWanted = true; clearAlerts(); },
  onStatus: showConnection,
  onHello: showRole,
  onState: (st) => {
    if (rundownWanted) { rundownWanted = false; loadRundown(); }
    render(st);
  },
  onEvent: onEvent,
}).start();
mountHealth($('health'), conn);
showConnection(conn.status);

// ---- The connection -------------------------------------------------------------------

// Every button that sends a command. While the page is not live they are all disabled: a
// press would be lost or, worse, land late. GOTO and SKIP also need a selection.
function commandControls() {
  return document.querySelectorAll('.p-control button, .composer button, .composer input, .composer select');
}

// A page that lost the daemon (or its heartbeat) cannot pass for live: hatched, dimmed, a
// banner over the rundown, and no command can be sent until it is back.
function showConnection(status) {
  const live = status === 'live';
  document.body.classList.toggle('offline', !live && status !== 'locked');
  const box = $('offline');
  box.hidden = live || status === 'locked';
  box.dataset.conn = status;
  setText($('offline-title'), status === 'stale' ? 'NO HEARTBEAT' : status === 'connecting' ? 'CONNECTING' : 'DISCONNECTED');
  setText($('offline-detail'), status === 'stale'
    ? 'The daemon has not answered for over 2 s: what this page shows may be stale.'
    : 'This page has lost the daemon. Commands are disabled until it is back; it reconnects by itself.');
  for (const b of commandControls()) {
    if (!live) b.disabled = true;
    else if (b.id !== 'goto' && b.id !== 'skip') b.disabled = false;
  }
  if (live) renderSelected();
}

// ---- Role and token -------------------------------------------------------------------

function showRole(h) {
  const role = h.role;
  const r = $('role');
  r.dataset.role = role;
  r.textContent = role === 'control' ? 'CONTROL' : role === 'view' ? 'VIEW ONLY' : 'NO ACCESS';
  document.body.dataset.role = role;
  // Until the daemon has answered our token, do not cry wolf.
  $('auth').hidden = role === 'control' || conn.authPending;
  if (role === 'control') clearAlert('auth');
}

$('auth-form').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $('auth-token').value.trim();
  $('auth-token').value = '';
  setToken(token);
  conn.setToken(token);
});

function onEvent(e) {
  if (e.type === 'auth' && !e.ok) {
    showAlert('auth', 'Control token refused', `${e.error?.code || 'unauthorized'}: ${e.error?.message || ''} \u2014 commands from this page will be refused.`, { sticky: true });
  } else if (e.type === 'reload_failed') {
    showAlert('reload', 'RELOAD failed: the show continues unchanged', e.errors || [], { sticky: true, code: 'reload_failed' });
  } else if (e.type === 'error') {
    showAlert(null, 'The daemon reported an error', `${e.error?.code}: ${e.error?.message}`);
  }
}

// ---- Commands ------------------------------------------------------------------------

async function run(cmd, args = {}, what = cmd.toUpperCase()) {
  const r = await conn.command(cmd, args);
  if (!r.ok) {
    const code = r.error?.code || 'error';
    const key = code === 'reload_failed' ? 'reload' : null;
    // A failed reload also arrives as a reload_failed event with every error, just before
    // this reply: keep that one.
    if (!(key && hasAlert(key))) showAlert(key, `${what} refused`, `${code}: ${r.error?.message || ''}`, { code, sticky: key !== null });
  } else if (cmd === 'reload') {
    clearAlert('reload');
    loadRundown();
  }
  return r;
}

const go = () => run('go');
$('go').addEventListener('click', go);
$('back').addEventListener('click', () => run('back'));
$('hold').addEventListener('click', () => {
  const holding = conn.state?.current?.holding;
  run(holding ? 'resume' : 'hold');
});
$('rehearsal').addEventListener('click', () => run('rehearsal', { on: !conn.state?.show?.rehearsal }, 'REHEARSAL'));
for (const b of document.querySelectorAll('[data-add]')) {
  b.addEventListener('click', () => run('add', { seconds: Number(b.dataset.add) }, `ADD ${b.textContent}`));
}
$('goto').addEventListener('click', async () => {
  if (!selectedId) return;
  const r = await run('goto', { item: selectedId }, `GOTO ${selectedId}`);
  if (r.ok) selectedByHand = false; // follow the show again
});
$('skip').addEventListener('click', () => {
  if (!selectedId) return;
  const skipped = itemState(selectedId)?.state === 'skipped';
  run('skip', { item: selectedId, on: !skipped }, skipped ? `UNSKIP ${selectedId}` : `SKIP ${selectedId}`);
});
$('reload').addEventListener('click', () => { clearAlert('reload'); run('reload'); });

// Panic asks once more: the first press arms it for a few seconds.
let panicTimer = null;
function disarmPanic() {
  clearTimeout(panicTimer);
  panicTimer = null;
  $('panic').textContent = 'PANIC';
  $('panic').classList.remove('armed');
  $('panic-cancel').hidden = true;
  $('reload').hidden = false;
}
$('panic').addEventListener('click', () => {
  if (!panicTimer) {
    $('panic').textContent = 'CONFIRM PANIC';
    $('panic').classList.add('armed');
    $('panic-cancel').hidden = false;
    $('reload').hidden = true;
    panicTimer = setTimeout(disarmPanic, PANIC_CONFIRM_MS);
    return;
  }
  disarmPanic();
  run('panic');
});
$('panic-cancel').addEventListener('click', disarmPanic);

// Escape: the selection follows the show again.
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') selectedByHand = false;
});

// Space is GO, except while typing; holding the key down does not repeat it.
document.addEventListener('keydown', (e) => {
  if (e.code !== 'Space' && e.key !== ' ') return;
  const t = e.target;
  if (t.closest && t.closest('input, textarea, select, [contenteditable="true"]')) return;
  e.preventDefault();
  if (!e.repeat) {
    $('go').classList.add('pressed');
    go();
  }
});
document.addEventListener('keyup', (e) => {
  if (e.code !== 'Space' && e.key !== ' ') return;
  $('go').classList.remove('pressed');
  // A focused button would otherwise click itself on key-up as well.
  if (e.target.tagName === 'BUTTON') e.preventDefault();
});

// ---- Stage message composer ------------------------------------------------------------

for (const c of MESSAGE_COLORS) {
  const o = document.createElement('option');
  o.value = c;
  o.textContent = c;
  $('msg-color').append(o);
}
$('msg-color').value = 'amber';
for (const [text, color] of PRESETS) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.addEventListener('click', () => run('message', withSeconds({ text, color }), 'MESSAGE'));
  $('msg-presets').append(b);
}
$('msg-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('msg-text').value.trim();
  if (!text) return;
  const r = await run('message', withSeconds({ text, color: $('msg-color').value }), 'MESSAGE');
  if (r.ok) $('msg-text').value = '';
});
$('msg-clear').addEventListener('click', () => run('clear_message', {}, 'CLEAR MESSAGE'));

// The composer's duration (seconds, optional) applies to what it sends: the message then
// clears itself on every screen.
function withSeconds(args) {
  const s = Number($('msg-seconds').value);
  return s > 0 ? { ...args, seconds: s } : args;
}
const msgPreview = messageBanner($('msg-current'));

// ---- Rundown table ---------------------------------------------------------------------

async function loadRundown() {
  rundownAt = localNow();
  const r = await fetchRundown(token);
  if (!r) return;
  const changed = !rundown || JSON.stringify(r.items) !== JSON.stringify(rundown.items);
  rundown = r;
  if (changed) buildRows();
  if (conn.state) render(conn.state);
}
setInterval(() => { if (conn.status === 'live' && localNow() - rundownAt > RUNDOWN_REFRESH_MS) loadRundown(); }, 1000);

function ruleText(it) {
  if (it.start_rule === 'time') return timeOfDay(it.hard_start);
  return it.start_rule === 'follow' ? 'follow' : 'GO';
}

function buildRows() {
  const body = $('rundown-body');
  body.textContent = '';
  rows = new Map();
  rundown.items.forEach((it, i) => {
    const tr = document.createElement('tr');
    tr.dataset.id = it.id;
    tr.tabIndex = 0;
    tr.classList.toggle('selected', it.id === selectedId); // picked before the rundown came
    const td = (cls, text = '') => {
      const c = document.createElement('td');
      c.className = cls;
      c.textContent = text;
      tr.append(c);
      return c;
    };
    td('c-n num', String(i + 1));
    const title = td('c-title');
    const t = document.createElement('span');
    t.className = 'it-title';
    t.textContent = it.title;
    const badge = document.createElement('span');
    badge.className = 'badge';
    title.append(t, badge);
    td(`c-rule rule-${it.start_rule}`, ruleText(it));
    td('c-planned num', rundown.relative ? `+${duration(it.planned_offset_ms)}` : timeOfDay(it.planned_start));
    td('c-dur num', it.duration_ms ? duration(it.duration_ms) : 'open');
    td('c-back num', it.back_time == null ? '' : timeOfDay(it.back_time));
    const actual = td('c-actual num');
    const ou = td('c-ou num');
    tr.addEventListener('click', () => select(it.id, true));
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') select(it.id, true); });
    body.append(tr);
    rows.set(it.id, { tr, badge, actual, ou, item: it });
  });
  if (selectedId && !rows.has(selectedId)) selectedId = null;
  renderSelected();
}

function itemState(id) {
  return conn.state?.items?.find((s) => s.id === id) || null;
}

function select(id, byHand) {
  selectedId = id;
  if (byHand) selectedByHand = true;
  for (const [rid, r] of rows) r.tr.classList.toggle('selected', rid === id);
  renderSelected();
}

function renderSelected() {
  const row = selectedId && rows.get(selectedId);
  const it = row?.item;
  $('sel-title').textContent = it ? `${it.title}` : 'pick an item in the rundown';
  $('sel-title').title = it ? it.id : '';
  const live = conn.status === 'live';
  $('goto').disabled = !it || !live;
  $('skip').disabled = !it || !live;
  $('sel-where').textContent = it ? `#${rundown.items.indexOf(it) + 1} · ${ruleText(it)}` : '';
  if (live) for (const b of document.querySelectorAll('#sel-cues .fire')) b.disabled = false;
  const s = it && itemState(it.id);
  $('skip').textContent = s?.state === 'skipped' ? 'UNSKIP' : 'SKIP';
  $('sel-notes').textContent = it?.notes || '';
  const body = $('sel-cues');
  if (body.dataset.item === (it?.id || '')) return;
  body.dataset.item = it?.id || '';
  body.textContent = '';
  for (const c of it?.cues || []) {
    const tr = document.createElement('tr');
    const at = document.createElement('td');
    at.className = 'num';
    at.textContent = cueAt(c.anchor, c.offset_ms);
    const name = document.createElement('td');
    name.textContent = c.label || c.id;
    name.title = c.id;
    const tgt = document.createElement('td');
    tgt.className = 'dim';
    tgt.textContent = c.target;
    const fire = document.createElement('td');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'fire';
    b.textContent = 'FIRE';
    b.dataset.cue = c.id;
    b.disabled = conn.status !== 'live';
    b.addEventListener('click', () => run('fire', { cue: c.id }, `FIRE ${c.id}`));
    fire.append(b);
    tr.append(at, name, tgt, fire);
    body.append(tr);
  }
}

// ---- State -------------------------------------------------------------------------------

// A damaged journal (README "The fail-safe rule"): what is uncertain, and the one button
// that lets GO continue from the proven position. Stays until acknowledged.
let journalShown = '';
function renderJournal(j) {
  const key = j?.uncertain ? JSON.stringify(j) : '';
  if (key === journalShown) return;
  journalShown = key;
  if (!key) { clearAlert('journal'); return; }
  const lines = [...j.damage];
  for (const it of j.items) lines.push(`Item ${it.id}: ${it.why}`);
  if (j.cues.length) lines.push(`Never fired again (they may have gone out): ${j.cues.map((c) => c.id).join(', ')}`);
  if (j.more) lines.push(`and ${j.more} more`);
  const el = showAlert('journal', 'Journal damaged: the show holds, GO waits for you', lines, { sticky: true, code: 'journal_uncertain' });
  const ack = document.createElement('button');
  ack.type = 'button';
  ack.id = 'journal-ack';
  ack.textContent = 'I have checked: acknowledge';
  ack.addEventListener('click', () => run('journal_ack', {}, 'ACKNOWLEDGE'));
  el.append(ack);
}

function render(st) {
  renderJournal(st.journal);
  if (rundown && !sameItems(rundown, st) && localNow() - rundownAt > 1000) loadRundown();
  const show = st.show;
  $('show-title').textContent = show.title;
  const stateName = show.state.toUpperCase();
  $('show-state').textContent = stateName;
  $('show-state').dataset.state = show.state;
  document.body.classList.toggle('in-panic', isPanic(st));
  renderNotices(show);
  $('rehearsal-pill').hidden = !show.rehearsal;
  $('rehearsal').setAttribute('aria-pressed', String(!!show.rehearsal));
  $('on-air').textContent = show.on_air == null ? '\u2014' : timeOfDay(show.on_air);
  $('off-air').textContent = show.off_air == null ? '\u2014' : timeOfDay(show.off_air);
  $('proj-end').textContent = show.projected_end == null ? '\u2014' : timeOfDay(show.projected_end);
  const ou = show.over_under_ms;
  $('over-under').textContent = ou == null ? '\u2014' : signed(ou);
  $('over-under').dataset.sign = overUnder(ou);
  $('hold').textContent = st.current?.holding ? 'RESUME' : 'HOLD';
  $('hold').classList.toggle('holding', !!st.current?.holding);

  const nextId = st.next?.id;
  for (const s of st.items) {
    const row = rows.get(s.id);
    if (!row) continue;
    const { tr, badge, actual, ou: ouCell, item } = row;
    tr.dataset.state = s.state;
    tr.classList.toggle('is-next', s.id === nextId);
    tr.classList.toggle('late', !!s.late);
    badge.textContent = s.state === 'running' ? (isPanic(st) ? 'PANIC' : st.current?.holding ? 'HOLD' : 'ON AIR') : s.id === nextId ? 'NEXT' : s.state === 'skipped' ? 'SKIP' : s.late ? 'LATE' : '';
    if (s.actual_start != null) {
      const late = item.planned_start != null ? s.actual_start - item.planned_start : null;
      actual.textContent = timeOfDay(s.actual_start);
      actual.title = late == null ? '' : `${signed(late)} against the plan`;
      actual.classList.remove('projected');
    } else if (s.state === 'pending' && s.projected_start != null) {
      actual.textContent = `~${timeOfDay(s.projected_start)}`;
      actual.title = 'projected';
      actual.classList.add('projected');
    } else {
      actual.textContent = '';
    }
    // Over/under of the item itself: its actual (or projected) length against the plan.
    let d = null;
    if (s.state === 'done' && s.actual_end != null) d = s.actual_end - s.actual_start - item.duration_ms;
    else if (s.state === 'running' && item.duration_ms > 0) d = s.projected_end - s.actual_start - item.duration_ms;
    ouCell.textContent = d == null ? '' : signed(d);
    ouCell.dataset.sign = d == null ? '' : overUnder(d);
  }
  // Follow the show with the selection until the producer picks an item by hand.
  const running = st.current?.id;
  if (!selectedByHand && (running || nextId) && selectedId !== (running || nextId)) select(running || nextId, false);
  else renderSelected();
  if (running && running !== scrolledTo && rows.has(running)) {
    scrolledTo = running;
    keepInView(rows.get(running).tr);
  }

  noticeAnswers(st.cues || [], st.targets || []);
  renderCues(st.cues || []);
  renderTargets(st.targets || []);
}

// A rundown of another day, and the demo's moved times: said once, under the header.
function renderNotices(show) {
  const days = show.days_from_today;
  const dw = $('date-warning');
  dw.hidden = days == null || days === 0;
  if (!dw.hidden) {
    const n = Math.abs(days);
    setText(dw, `This rundown is dated ${show.date}, ${n} day${n === 1 ? '' : 's'} ${days < 0 ? 'ago' : 'from today'}: its times of day are on that date.`);
  }
  const dn = $('demo-note');
  dn.hidden = !show.demo;
  if (show.demo) {
    const from = show.demo.from_date ? ` (written for ${show.demo.from_date})` : '';
    const text = `the rundown's times were moved to today${from}, on air minutes after start-up`;
    if (dn.dataset.text !== text) {
      dn.dataset.text = text;
      dn.innerHTML = '';
      const b = document.createElement('b');
      b.textContent = 'DEMO';
      dn.append(b, ` ${text}`);
    }
  }
  $('notices').hidden = dw.hidden && dn.hidden;
}

// Scrolls the rundown's own box (never the page) so the running item shows, one row of
// what is done above it.
function keepInView(tr) {
  const wrap = tr.closest('.table-wrap');
  if (!wrap || wrap.scrollHeight <= wrap.clientHeight) return;
  const head = wrap.querySelector('thead')?.offsetHeight || 0;
  const above = tr.previousElementSibling?.offsetHeight || 0;
  wrap.scrollTop = Math.max(0, tr.offsetTop - head - above);
}

const badAnswer = (a) => a === 'error' || a === 'timeout';
const answerKey = (c) => `${c.cue}|${c.target}|${c.sent}|${c.answered}`;
const answerMs = (us) => `${millis(us / 1000)} ms`;
const shorten = (t) => (t && t.length > DETAIL_CHARS ? `${t.slice(0, DETAIL_CHARS - 1)}\u2026` : t || '');

// A cue whose device answered an error (or nothing in time) is said at once, over the page,
// once per cue log entry; the entries already there when the page opened are not.
function noticeAnswers(cues, targets) {
  const bad = cues.filter((c) => badAnswer(c.answer) && c.answered != null);
  // The latest bad answer of each target, even once an ok followed it (the state's last_answer
  // is the latest of any kind): from the targets, the cue log, and what this page saw.
  const remember = (name, a) => {
    const old = lastBad.get(name);
    if (!old || (a.at ?? 0) >= (old.at ?? 0)) lastBad.set(name, a);
  };
  for (const c of bad) remember(c.target, { answer: c.answer, detail: c.answer_detail, cue: c.cue, at: c.answered });
  for (const t of targets) if (t.last_answer && badAnswer(t.last_answer.answer)) remember(t.name, t.last_answer);
  const keys = new Set(bad.map(answerKey));
  if (seenBad) {
    const fresh = new Map(); // target -> its new bad entries, newest first (the log's order)
    for (const c of bad) {
      if (seenBad.has(answerKey(c))) continue;
      if (!fresh.has(c.target)) fresh.set(c.target, []);
      fresh.get(c.target).push(c);
    }
    for (const [target, found] of fresh) {
      // One alert per target, the cues of the one still shown kept in it (newest first): a
      // device that fails every cue does not bury the page, nor hide its first failure.
      const key = `answer:${target}`;
      const list = [...found, ...(hasAlert(key) ? alerted.get(target) || [] : [])].slice(0, ALERT_LINES);
      alerted.set(target, list);
      const c = list[0];
      const line = (x) => `${x.cue}: ${x.answer}${x.answer_detail ? `: ${x.answer_detail}` : ''}`;
      const kinds = [...new Set(list.map((x) => x.answer))].join(', ');
      showAlert(key, list.length > 1 ? `${list.length} cues \u2192 ${target}: ${kinds}` : `Cue ${c.cue} \u2192 ${target}: ${c.answer}`,
        list.length > 1 ? list.map(line) : c.answer_detail || '',
        { code: `answer_${c.answer}`, keepMs: ANSWER_ALERT_MS });
    }
  }
  seenBad = keys;
}

function landedCell(td, c) {
  td.className = 'c-landed';
  if (c.answer) {
    const a = document.createElement('span');
    a.className = 'ans';
    a.dataset.answer = c.answer;
    a.textContent = c.answer === 'ok' ? `ok ${answerMs(c.answer_us)}` : c.answer;
    td.append(a);
    if (c.answer !== 'ok' && c.answer_detail) {
      const d = document.createElement('span');
      d.className = 'ans-detail';
      d.textContent = shorten(c.answer_detail);
      td.append(' ', d);
    }
    const when = c.answer === 'timeout' ? `no answer after ${answerMs(c.answer_us)}` : `${c.answer} after ${answerMs(c.answer_us)}`;
    td.title = `${when}${c.answered != null ? ` (${timeOfDay(c.answered, true)})` : ''}${c.answer_detail ? ` \u2014 ${c.answer_detail}` : ''}`;
  } else if (c.awaits_answer) {
    td.textContent = '\u2026';
    td.classList.add('awaiting');
    td.title = 'sent: waiting for the device to answer';
  }
}

function renderCues(cues) {
  const key = JSON.stringify(cues);
  if (key === cueKey) return;
  cueKey = key;
  const body = $('cuelog');
  body.textContent = '';
  for (const c of cues) {
    const tr = document.createElement('tr');
    tr.dataset.outcome = c.outcome;
    if (c.answer) tr.dataset.answer = c.answer;
    tr.classList.toggle('answer-bad', badAnswer(c.answer));
    const cells = [
      [timeOfDay(c.scheduled ?? c.sent, true), 'num'],
      [c.cue, 'c-cue'],
      [c.item, 'c-item dim'],
      [c.target, 'c-target'],
      [c.lateness_us == null ? '' : micros(c.lateness_us), 'num r'],
      [c.outcome, 'outcome'],
    ];
    for (const [text, cls] of cells) {
      const td = document.createElement('td');
      td.className = cls;
      td.textContent = text;
      tr.append(td);
    }
    tr.children[1].title = `${c.cue} (item ${c.item})`;
    const landed = document.createElement('td');
    landedCell(landed, c);
    tr.append(landed);
    body.append(tr);
  }
}

function renderTargets(targets) {
  const key = JSON.stringify(targets) + JSON.stringify([...lastBad]);
  if (key === targetKey) return;
  targetKey = key;
  const box = $('targets');
  box.textContent = '';
  for (const t of targets) {
    const d = document.createElement('div');
    d.className = 'target';
    d.dataset.name = t.name;
    d.dataset.state = t.state;
    d.title = `${t.kind} ${t.url || ''}${t.error ? ` \u2014 ${t.error}` : ''}`;
    const span = (cls, text) => {
      const e = document.createElement('span');
      e.className = cls;
      e.textContent = text;
      d.append(e);
      return e;
    };
    span('tname', t.name);
    span('tstate', t.state);
    span('tcount num', `${t.sent} sent${t.failed ? ` \u00b7 ${t.failed} failed` : ''}`);
    // A target that answers: how its answers went, their round trip, and its latest bad one.
    if (t.answers) {
      const a = t.answers;
      const n = span('tanswers num', '');
      n.append(`ok ${a.ok}`);
      for (const [k, label] of [['error', 'err'], ['timeout', 'timeout']]) {
        if (!a[k]) continue;
        const b = document.createElement('b');
        b.className = 'tbad';
        b.textContent = `${label} ${a[k]}`;
        n.append(' \u00b7 ', b);
      }
      if (t.rtt_us?.n) {
        const r = span('trtt num', `p50 ${answerMs(t.rtt_us.p50)} p99 ${answerMs(t.rtt_us.p99)}`);
        r.title = `round trip of the last ${t.rtt_us.n} answer${t.rtt_us.n === 1 ? '' : 's'}`;
      }
      if (t.last_answer) d.dataset.answer = t.last_answer.answer;
      const bad = lastBad.get(t.name);
      if (bad) {
        const text = `${bad.cue}${bad.detail ? `: ${bad.detail}` : ''}`;
        const e = span('tlast', `last ${bad.answer} ${timeOfDay(bad.at)} \u00b7 ${shorten(text)}`);
        e.title = `${timeOfDay(bad.at, true)} ${text}`;
        // Red while it is the latest answer; dim once the device answered ok again.
        e.dataset.current = String(!!t.last_answer && badAnswer(t.last_answer.answer) && t.last_answer.cue === bad.cue && t.last_answer.at === bad.at);
      }
    }
    if (t.error) span('terror', t.error);
    box.append(d);
  }
}

// ---- Display-rate drawing -------------------------------------------------------------------

const cd = $('p-countdown');
const runTitle = shrinker($('run-title'), { minPx: 13 });
function frame() {
  requestAnimationFrame(frame);
  const local = localNow();
  const now = local + conn.clock.offsetInUse;
  setText($('tod'), timeOfDay(now));
  const st = conn.state;
  document.body.classList.toggle('stale', conn.status !== 'live');
  if (!st) return;
  msgPreview(st.message, now);
  const until = st.message?.until;
  setText($('msg-left'), until ? `clears in ${duration(Math.max(0, Math.ceil((until - now) / 1000)) * 1000)}` : '');
  const c = st.current;
  let phase = 'idle';
  let label = '';
  // While holding, the clock of the item (and of what follows) stands at the state's time.
  const t = itemTime(st, now);
  if (c) {
    const r = phaseOf(c, t, st.show.state);
    const rem = r.rem;
    phase = r.phase;
    // No word for an open-ended item here; the stage names it (OPEN ENDED).
    label = phaseLabel(phase, c, t);
    setText(cd, countdown(rem, 'tenths'));
    cd.dataset.remainingMs = rem.toFixed(2);
    cd.dataset.drawnAt = local.toFixed(2);
    runTitle(c.title);
    const meta = [`started ${timeOfDay(c.started_at)}`, `planned ${duration(c.duration_ms)}`];
    if (c.added_ms) meta.push(`${signed(c.added_ms)} added`);
    if (c.held_ms >= 1000) meta.push(`held ${duration(c.held_ms)}`);
    setText($('run-meta'), isPanic(st) ? 'RESUME, GO or GOTO ends the panic' : meta.join(' \u00b7 '));
  } else {
    phase = st.show.state === 'ended' ? 'ended' : isPanic(st) ? 'panic' : 'idle';
    label = st.show.state === 'ended' ? 'SHOW ENDED' : isPanic(st) ? 'PANIC' : '';
    setText(cd, '\u2014');
    delete cd.dataset.remainingMs;
    runTitle(st.show.state === 'ended' ? 'Show ended' : isPanic(st) ? 'PANIC: nothing starts by itself until GO' : 'Nothing running');
    setText($('run-meta'), '');
  }
  cd.dataset.phase = phase;
  if (phase === 'panic') $('running').dataset.panic = ''; else delete $('running').dataset.panic;
  setText($('run-label'), label);
  $('run-label').dataset.phase = phase;
  const n = st.next;
  setText($('next-title'), n ? n.title : '\u2014');
  let when = '';
  if (n) {
    const parts = [];
    if (n.starts_at > t + 500) parts.push(`in ${duration(Math.ceil((n.starts_at - t) / 1000) * 1000)}`);
    parts.push(n.start_rule === 'go' ? 'on GO' : n.start_rule === 'time' ? `hard ${timeOfDay(n.starts_at)}` : 'follows');
    when = parts.join(' \u00b7 ');
  }
  setText($('next-when'), when);
  // The NEXT line keeps its two lines: a long title shrinks, never cut (refitted when its
  // shape changes, digits aside, as the run title is).
  const shape = `${n ? n.title : ''}|${when.replace(/[0-9]/g, '0')}|${innerWidth}`;
  if (shape !== nextShape) {
    nextShape = shape;
    shrinkToFit($('run-next'), 12);
  }
}
let nextShape = '';
requestAnimationFrame(frame);
