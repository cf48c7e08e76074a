// The rundown editor (/editor/): the rundown file's document as a table the producer edits in
// place, checked by the daemon as they type (its findings at their fields, with its words; its
// plan in the rows: planned start, back-time, end, and the show's over/under), saved with the
// version it was loaded from so two producers never overwrite each other, versions, import
// and export. No timing is computed here: every time shown comes from POST /api/rundown/check.
//
// DOM hooks (stable; tests drive the page by them):
//   body[data-state]      loading | ready | auth | error
//   body[data-dirty]      "true" while the draft has unsaved changes (#dirty shows it)
//   body[data-check]      idle | pending (a check is due or in flight) | done | failed
//   body[data-errors]     errors in the last check (plus fields that are not valid JSON)
//   body[data-conn]       the websocket's state (health.js): live | connecting | disconnected ...
//   #doc-title #rev #dirty #health #author #save #save-status #check-status #file
//   #plan-on-air #plan-end #plan-off-air #plan-over-under[data-sign=over|under|zero] #plan-duration
//   #auth (#auth-text #auth-form #auth-token) #offline (#offline-title #offline-detail)
//   #conflict (#conflict-message #conflict-diff #load-theirs #conflict-dismiss)
//   #stale (#stale-message #load-latest) #save-error (#save-error-message)
//   #show-fields: inputs [data-field=title|date|on_air|off_air|fps] (ids #show-title #show-date
//     #show-on-air #show-off-air #show-fps)
//   #add-item #import-file #import-format(auto|csv|ontime) #import-box #import-title
//   #import-findings li.finding  #export-csv #export-print #revert #versions-toggle
//   #items (the table) > tbody.item[data-index=i][data-id=ID][data-path="items[i]"], class open
//     when its details show; in it:
//     tr.main: button.handle[data-action=drag] (draggable), td.c-n, input[data-field=title],
//       select[data-field=start] (go|follow|time), input[data-field=start-time],
//       input[data-field=duration|warn|critical], td.c-planned td.c-back td.c-end (text; data-ms
//       = epoch ms from the plan), button[data-action=details|duplicate|delete]
//     tr.row-findings .findings: the item's findings (with where: "DURATION", "CUE 1 AT")
//     tr.detail: textarea[data-field=notes|script], input[data-field=id], button[data-action=add-cue],
//       .cue[data-cue-index=j][data-path="items[i].cues[j]"] with select[data-field=cue-target],
//       input[data-field=cue-at|cue-label|cue-id], buttons [data-action=cue-up|cue-down|
//       cue-duplicate|cue-delete], and its message (.msg[data-key=osc|ws|tcp|http|obs]):
//         osc: input[data-field=osc-address], .osc-arg[data-arg=k] with select[data-field=osc-type]
//              and input[data-field=osc-value], button[data-action=add-arg|remove-arg]
//         ws: textarea[data-field=ws] + select[data-field=ws-mode] (text|json); tcp: input[data-field=tcp]
//         http: select[data-field=http-method], input[data-field=http-path],
//               textarea[data-field=http-body] + select[data-field=http-body-mode], input[data-field=http-headers]
//         obs: input[data-field=obs-request], textarea[data-field=obs-data]
//   Every bound control has data-path = its JSON path (items[2].cues[0].at); a finding marks its
//   control aria-invalid="true" data-finding=error|warning, and is shown as
//   .finding[data-severity][data-path] (.f-where, .f-msg = the daemon's exact message) in the
//   field's .findings (details) or the row's .row-findings; findings with no field are in
//   #top-findings (li.finding). #toast (#toast-text #toast-undo) after a delete.
//   Versions: #versions, #versions-list li.version[data-version=N][data-on-air] with
//   button.v-changes, button.v-diff, button.v-restore; #diff[data-from][data-to] #diff-title
//   #diff-body (.diff-field[data-field] .from .to, .diff-item[data-id][data-change]).
// Keys: Alt+Up/Down moves the focused item (or cue); Alt+N new item; Alt+D duplicate;
// Alt+Delete delete; Alt+E details; Ctrl+S save; Esc closes the versions panel.
import { Connection } from './conn.js';
import { mountHealth } from './health.js';
import { tokenFromUrl, setToken } from './token.js';
import { duration, signed, timeOfDay } from './format.js';
import { setText } from './dom.js';
import { Api, errorText } from './editor-api.js';
import { clone, itemPath, pathPrefixes, slug, uniqueId } from './editor-doc.js';
import { bindText, field, h, own } from './editor-fields.js';
import { buildTable, updatePlan } from './editor-table.js';
import { Versions } from './editor-versions.js';

const $ = (id) => document.getElementById(id);
const body = document.body;
const CHECK_DEBOUNCE_MS = 150;
const AUTHOR_KEY = 'showcaller.author';
const BASE_TITLE = 'Editor \u00b7 showcaller';

let token = tokenFromUrl();
const api = new Api(token, { onReach: (ok) => { httpDown = !ok; showConnection(); } });
let httpDown = false;

// ---- The editor's state, shared with the table and cue modules --------------------------------

const ed = {
  doc: null, // the document being edited (edited in place)
  rev: null, // the version it was loaded from (sent with the save)
  file: '',
  targets: [],
  tableEl: $('items'),
  rows: new Map(),
  open: new WeakSet(), // items whose details show
  plan: null,
  planByItem: new WeakMap(),
  planStale: false,
  findings: [], // the last check's (or save's) findings, anchored to objects
  dirty: false,
  source: 'editor', // "import" after an import, until it is saved
  newItems: new WeakSet(), // items added here, whose id follows their title until saved
  idTouched: new WeakSet(),
  localErrors: new Map(), // element -> message (JSON fields that do not parse)

  changed(opts = {}) { changed(opts); },
  localError(el, msg, slot) { localError(el, msg, slot); },
  planOf(item) { return this.planByItem.get(item) || null; },
  itemId(item, i) { return (typeof item.id === 'string' && item.id) || this.planOf(item)?.id || slug(item.title || `item ${i + 1}`); },
  titleTyped(item, t) {
    if (!this.newItems.has(item) || this.idTouched.has(item)) return;
    item.id = uniqueId(this.doc, slug(t), item);
    const tb = this.rows.get(item);
    if (tb) {
      tb.dataset.id = item.id;
      const idEl = tb.querySelector('input[data-field="id"]');
      if (idEl) idEl.value = item.id;
    }
  },
  idTyped(item) {
    this.idTouched.add(item);
    const tb = this.rows.get(item);
    if (tb) tb.dataset.id = typeof item.id === 'string' ? item.id : '';
  },
  markNotes(item) {
    const m = this.rows.get(item)?.querySelector('.notes-mark');
    if (m) m.textContent = item.notes || item.script ? ' \u00b7 notes' : '';
  },
  toggleDetails(item, force) {
    const open = force ?? !this.open.has(item);
    if (open) this.open.add(item); else this.open.delete(item);
    const tb = this.rows.get(item);
    if (!tb) return;
    tb.classList.toggle('open', open);
    tb.querySelector('tr.detail').hidden = !open;
    const b = tb.querySelector('button[data-action="details"]');
    b.setAttribute('aria-expanded', String(open));
    b.querySelector('.caret').textContent = open ? ' \u25be' : ' \u25b8';
    placeFindings();
  },
  moveItemTo(item, to, focusField) { moveItemTo(item, to, focusField); },
  moveCue(item, j, delta) { moveCue(item, j, delta); },
  duplicateItem(item) { duplicateItem(item); },
  deleteItem(item) { deleteItem(item); },
  save(opts) { return save(opts); },
  showSaveError(msg) { showSaveError(msg); },
};
const versions = new Versions(ed, api);

// ---- Connection: the websocket (as the other pages) and every HTTP call --------------------

let connSeen = false;
const conn = new Connection({
  token,
  onStatus: (st) => {
    // Back: check the draft again (which also tells whether HTTP is back), or load it at last.
    if (st === 'live' && (httpDown || body.dataset.check === 'failed')) {
      if (ed.doc) runCheck(); else loadSource();
    }
    showConnection();
  },
  onState: (st) => {
    connSeen = true;
    // Another save or a file edit changed the rundown on air: see which version that is.
    const r = st.show?.rundown_rev;
    if (r !== undefined && r !== lastRundownRev) {
      const first = lastRundownRev === undefined;
      lastRundownRev = r;
      if (!first) onRundownChanged();
    }
  },
}).start();
let lastRundownRev;
mountHealth($('health'), conn);

function showConnection() {
  const ws = conn.status;
  const down = httpDown || ws === 'disconnected' || (ws === 'connecting' && connSeen);
  const stale = !down && ws === 'stale';
  const box = $('offline');
  box.hidden = !down && !stale;
  box.dataset.conn = down ? 'disconnected' : ws;
  body.classList.toggle('offline', down);
  setText($('offline-title'), stale ? 'NO HEARTBEAT' : 'DISCONNECTED');
  setText($('offline-detail'), stale
    ? 'The daemon has not answered for over 2 s.'
    : 'This page cannot reach the daemon: it cannot check or save until it is back (it reconnects by itself). Your draft stays in this page.');
  updateSave();
}

// ---- Token --------------------------------------------------------------------------------

function showAuth(refused) {
  body.dataset.state = 'auth';
  $('auth').hidden = false;
  $('auth-text').textContent = refused
    ? 'The daemon refused this token: the editor needs the control token.'
    : 'The editor needs the control token (the daemon prints a link with it at start-up).';
  $('auth-token').focus();
}

$('auth-form').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $('auth-token').value.trim();
  $('auth-token').value = '';
  setToken(token);
  api.token = token;
  conn.setToken(token);
  $('auth').hidden = true;
  loadSource();
});

// ---- Author ---------------------------------------------------------------------------------

try { $('author').value = localStorage.getItem(AUTHOR_KEY) || ''; } catch { /* storage blocked */ }
$('author').addEventListener('input', () => {
  try { localStorage.setItem(AUTHOR_KEY, $('author').value.trim()); } catch { /* this page only */ }
  $('author').classList.remove('needed');
});

// ---- Loading --------------------------------------------------------------------------------

let loadRetry = null;
async function loadSource({ quiet = false } = {}) {
  clearTimeout(loadRetry);
  if (!token) { showAuth(false); return false; }
  if (!ed.doc) body.dataset.state = 'loading';
  const r = await api.source();
  if (r.status === 401 || r.status === 403) { showAuth(true); return false; }
  if (r.status === 0) {
    if (!ed.doc) loadRetry = setTimeout(() => loadSource(), 2000);
    return false;
  }
  if (r.status !== 200 || !r.body?.rundown || typeof r.body.rundown !== 'object') {
    body.dataset.state = ed.doc ? body.dataset.state : 'error';
    showSaveError(r.status === 404 ? `this daemon has no editing API (GET /api/rundown/source: ${errorText(r)})` : `could not load the rundown: ${errorText(r)}`);
    return false;
  }
  $('auth').hidden = true;
  setDoc(r.body.rundown, { rev: r.body.rev, file: r.body.file, targets: r.body.targets });
  body.dataset.state = 'ready';
  if (!quiet) setSaveStatus('', '');
  versions.refresh().then(checkStale);
  return true;
}

// A new document for the editor (loaded, imported or restored).
function setDoc(doc, { rev = ed.rev, file = ed.file, targets = ed.targets, source = 'editor', dirty = false } = {}) {
  ed.doc = doc;
  if (!Array.isArray(doc.items)) doc.items = doc.items === undefined ? [] : doc.items;
  ed.rev = rev;
  ed.file = file || '';
  ed.targets = Array.isArray(targets) ? targets : [];
  ed.source = source;
  ed.open = new WeakSet();
  ed.newItems = new WeakSet();
  ed.idTouched = new WeakSet();
  ed.planByItem = new WeakMap();
  ed.plan = null;
  ed.findings = [];
  ed.localErrors.clear();
  structSeq++;
  setDirty(dirty);
  $('conflict').hidden = true;
  $('stale').hidden = true;
  setText($('rev'), rev == null ? 'new' : `v${rev}`);
  $('rev').title = rev == null ? '' : `This draft was loaded from version ${rev}`;
  setText($('file'), ed.file ? `file: ${ed.file}` : '');
  buildShowFields();
  buildTable(ed);
  showTitle();
  updateFigures();
  placeFindings();
  runCheck();
}

// ---- The show's fields ------------------------------------------------------------------------

function buildShowFields() {
  const box = $('show-fields');
  box.textContent = '';
  const doc = ed.doc;
  const mk = (key, id, label, attrs, opts = {}) => {
    const el = own(h('input', { type: 'text', id, spellcheck: false, autocomplete: 'off', ...attrs }), doc, key);
    el.dataset.path = key;
    bindText(ed, el, doc, key, opts);
    box.append(field(label, el, `f-${key}`));
    return el;
  };
  mk('title', 'show-title', 'SHOW', { class: 'w-show-title', placeholder: 'title' }, { after: showTitle });
  mk('date', 'show-date', 'DATE', { type: 'date', class: 'w-date' }, { optional: true });
  mk('on_air', 'show-on-air', 'ON AIR', { class: 'w-time', placeholder: 'HH:MM:SS', inputmode: 'numeric' }, { optional: true });
  mk('off_air', 'show-off-air', 'OFF AIR', { class: 'w-time', placeholder: 'HH:MM:SS', inputmode: 'numeric' }, { optional: true });
  mk('fps', 'show-fps', 'FPS', { class: 'w-fps', placeholder: '25', inputmode: 'numeric' },
    { optional: true, convert: (t) => (/^\d+$/.test(t.trim()) ? Number(t.trim()) : t) });
}

function showTitle() {
  const t = typeof ed.doc?.title === 'string' && ed.doc.title ? ed.doc.title : '\u2014';
  setText($('doc-title'), t);
}

// ---- Changes ----------------------------------------------------------------------------------

let structSeq = 0;

function setDirty(d) {
  ed.dirty = d;
  body.dataset.dirty = String(d);
  $('dirty').hidden = !d;
  document.title = d ? `\u25cf ${BASE_TITLE}` : BASE_TITLE;
  updateSave();
}

function changed({ structural = false, focus = null } = {}) {
  setDirty(true);
  if (structural) {
    structSeq++;
    rebuild(focus);
  }
  scheduleCheck();
}

// The focused control as (its owner object, its field): found again after a rebuild.
function currentFocus() {
  const a = document.activeElement;
  if (!a || !a.__obj || !ed.tableEl.contains(a)) return null;
  return { obj: a.__obj, field: a.dataset.field, arg: a.dataset.arg, start: a.selectionStart, end: a.selectionEnd };
}

function restoreFocus(f) {
  if (!f) return;
  const els = [...ed.tableEl.querySelectorAll('[data-field]')].filter((e) => e.__obj === f.obj && e.dataset.field === f.field);
  const el = f.last ? els[els.length - 1] : els.find((e) => f.arg === undefined || e.dataset.arg === f.arg) || els[0];
  if (!el) return;
  // A field in closed details: open them.
  const tb = el.closest('tbody.item');
  if (el.closest('tr.detail') && tb && !tb.classList.contains('open')) ed.toggleDetails(tb.__obj, true);
  el.focus();
  if (f.start != null && typeof el.setSelectionRange === 'function') {
    try { el.setSelectionRange(f.start, f.end); } catch { /* not a text field */ }
  }
  el.scrollIntoView({ block: 'nearest' });
}

function rebuild(focus) {
  const f = focus || currentFocus();
  for (const el of [...ed.localErrors.keys()]) if (ed.tableEl.contains(el)) ed.localErrors.delete(el);
  buildTable(ed);
  placeFindings();
  restoreFocus(f);
  updateSave();
}

function localError(el, msg, slot) {
  if (msg) ed.localErrors.set(el, msg); else ed.localErrors.delete(el);
  el.toggleAttribute('aria-invalid', !!msg);
  if (msg) el.dataset.local = 'error'; else delete el.dataset.local;
  if (slot) {
    for (const old of slot.querySelectorAll('.finding.local')) old.remove();
    if (msg) slot.append(h('div', { class: 'finding local', dataset: { severity: 'error' } }, h('span', { class: 'f-msg', text: msg })));
  }
  updateSave();
}

// ---- Items: add, duplicate, delete, move ------------------------------------------------------

function focusedItem() {
  const tb = document.activeElement?.closest?.('tbody.item');
  return tb?.__obj || null;
}

function addItem(after = focusedItem()) {
  const items = ed.doc.items;
  const item = { title: 'New item', duration: '1:00' };
  item.id = uniqueId(ed.doc, slug(item.title));
  ed.newItems.add(item);
  const at = after && items.includes(after) ? items.indexOf(after) + 1 : items.length;
  items.splice(at, 0, item);
  changed({ structural: true, focus: { obj: item, field: 'title', start: 0, end: item.title.length } });
}

function duplicateItem(item) {
  const items = ed.doc.items;
  const copy = clone(item);
  delete copy.id;
  for (const c of Array.isArray(copy.cues) ? copy.cues : []) if (c && typeof c === 'object') delete c.id;
  copy.id = uniqueId(ed.doc, slug(copy.title));
  ed.newItems.add(copy);
  items.splice(items.indexOf(item) + 1, 0, copy);
  if (ed.open.has(item)) ed.open.add(copy);
  changed({ structural: true, focus: { obj: copy, field: 'title' } });
}

let undo = null;
let toastTimer = null;
function deleteItem(item) {
  const items = ed.doc.items;
  const i = items.indexOf(item);
  if (i < 0) return;
  items.splice(i, 1);
  undo = { item, index: i };
  const next = items[i] || items[i - 1];
  changed({ structural: true, focus: next ? { obj: next, field: 'title' } : null });
  if (!next) $('add-item').focus();
  toast(`Deleted item ${i + 1}${item.title ? ` \u201c${item.title}\u201d` : ''}.`);
}

function toast(text) {
  setText($('toast-text'), text);
  $('toast').hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { $('toast').hidden = true; undo = null; }, 8000);
}
$('toast-undo').addEventListener('click', () => {
  if (!undo) return;
  ed.doc.items.splice(Math.min(undo.index, ed.doc.items.length), 0, undo.item);
  const it = undo.item;
  undo = null;
  $('toast').hidden = true;
  changed({ structural: true, focus: { obj: it, field: 'title' } });
});

function moveItemTo(item, to, focusField) {
  const items = ed.doc.items;
  const from = items.indexOf(item);
  if (from < 0 || to < 0 || to >= items.length || from === to) return;
  items.splice(from, 1);
  items.splice(to, 0, item);
  const f = currentFocus();
  changed({ structural: true, focus: f && f.obj === item ? f : { obj: item, field: focusField || 'handle' } });
}

function moveCue(item, j, delta) {
  const cues = item.cues;
  const to = j + delta;
  if (!Array.isArray(cues) || to < 0 || to >= cues.length) return;
  const [c] = cues.splice(j, 1);
  cues.splice(to, 0, c);
  const f = currentFocus();
  changed({ structural: true, focus: f && f.obj === c ? f : { obj: c, field: delta < 0 ? 'cue-up' : 'cue-down' } });
}

$('add-item').addEventListener('click', () => addItem(lastFocusedItem));
let lastFocusedItem = null;
ed.tableEl.addEventListener('focusin', (e) => { lastFocusedItem = e.target.closest('tbody.item')?.__obj || lastFocusedItem; });

// ---- Keys ---------------------------------------------------------------------------------------

document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 's' || e.key === 'S')) {
    e.preventDefault();
    save();
    return;
  }
  if (e.key === 'Escape' && versions.isOpen()) {
    versions.close();
    return;
  }
  if (!e.altKey || e.ctrlKey || e.metaKey || !ed.doc) return;
  const t = document.activeElement;
  const tb = t?.closest?.('tbody.item');
  const item = tb?.__obj;
  const key = e.key;
  if (key === 'ArrowUp' || key === 'ArrowDown') {
    if (!item) return;
    e.preventDefault();
    const d = key === 'ArrowUp' ? -1 : 1;
    const cueEl = t.closest('.cue');
    if (cueEl && Array.isArray(item.cues)) moveCue(item, item.cues.indexOf(cueEl.__obj), d);
    else moveItemTo(item, ed.doc.items.indexOf(item) + d);
  } else if (e.code === 'KeyN') {
    e.preventDefault();
    addItem(item || null);
  } else if (e.code === 'KeyD' && item) {
    e.preventDefault();
    duplicateItem(item);
  } else if ((key === 'Delete' || key === 'Backspace') && item && !(e.shiftKey)) {
    e.preventDefault();
    deleteItem(item);
  } else if (e.code === 'KeyE' && item) {
    e.preventDefault();
    ed.toggleDetails(item);
    if (ed.open.has(item)) tb.querySelector('textarea[data-field="notes"]')?.focus();
    else tb.querySelector('button[data-action="details"]')?.focus();
  }
});

// ---- Checking as one types -----------------------------------------------------------------

let checkTimer = null;
let checkSeq = 0;
let appliedSeq = 0;
let inflight = null;

function scheduleCheck() {
  clearTimeout(checkTimer);
  body.dataset.check = 'pending';
  setText($('check-status'), 'checking\u2026');
  checkTimer = setTimeout(() => { checkTimer = null; runCheck(); }, CHECK_DEBOUNCE_MS);
}

function runCheck() {
  clearTimeout(checkTimer);
  checkTimer = null;
  if (!ed.doc) return Promise.resolve();
  const seq = ++checkSeq;
  const st = structSeq;
  // What the paths of this check's findings and plan refer to.
  const snap = ed.doc.items.map((it) => ({ it, cues: it && Array.isArray(it.cues) ? [...it.cues] : [] }));
  body.dataset.check = 'pending';
  const p = api.check(ed.doc).then((r) => {
    if (seq > appliedSeq && (seq === checkSeq || st === structSeq)) {
      appliedSeq = seq;
      applyCheck(r, snap);
    }
    if (seq === checkSeq) {
      inflight = null;
      if (!checkTimer) body.dataset.check = r.status === 200 ? 'done' : 'failed';
    }
  });
  inflight = p;
  return p;
}

// Resolves once the draft as it is now has been checked.
async function settled() {
  while (checkTimer || inflight) {
    if (checkTimer) await runCheck();
    else await inflight;
  }
}

function applyCheck(r, snap) {
  if (r.status === 401 || r.status === 403) { showAuth(true); return; }
  if (r.status !== 200 || !r.body) {
    setText($('check-status'), r.status === 0 ? 'not checked: the daemon cannot be reached' : `not checked: ${errorText(r)}`);
    $('check-status').dataset.state = 'failed';
    return;
  }
  ed.findings = anchor(Array.isArray(r.body.findings) ? r.body.findings : [], snap);
  const plan = r.body.plan;
  if (plan && Array.isArray(plan.items)) {
    ed.plan = plan;
    ed.planByItem = new WeakMap();
    plan.items.forEach((p, i) => { if (snap[i]?.it && typeof snap[i].it === 'object') ed.planByItem.set(snap[i].it, p); });
    ed.planStale = false;
  } else {
    ed.planStale = true;
  }
  updatePlan(ed);
  updateFigures();
  placeFindings();
}

// Findings keep to their item and cue when rows move before the next check answers.
function anchor(findings, snap) {
  return findings.map((f) => {
    const m = /^items\[(\d+)\](.*)$/.exec(f.path || '');
    if (!m) return { ...f, anchor: null };
    const s = snap[Number(m[1])];
    let rest = m[2];
    let cue = null;
    const mc = /^\.cues\[(\d+)\](.*)$/.exec(rest);
    if (mc && s && s.cues[Number(mc[1])] !== undefined) {
      cue = s.cues[Number(mc[1])];
      rest = mc[2];
    }
    return { ...f, anchor: s ? { item: s.it, cue, rest } : null };
  });
}

function pathNow(f) {
  const a = f.anchor;
  if (!a) return f.path || '';
  const i = ed.doc.items.indexOf(a.item);
  if (i < 0) return null;
  if (!a.cue) return `${itemPath(i)}${a.rest}`;
  const j = Array.isArray(a.item.cues) ? a.item.cues.indexOf(a.cue) : -1;
  if (j < 0) return null;
  return `${itemPath(i)}.cues[${j}]${a.rest}`;
}

// "items[2].cues[0].at" -> "CUE 1 AT"; "items[2].duration" -> "DURATION".
function where(path) {
  return path.replace(/^items\[\d+\]\.?/, '').replace(/cues\[(\d+)\]/g, (_, j) => `cue ${Number(j) + 1}`)
    .replace(/args\[(\d+)\]/g, (_, k) => `arg ${Number(k) + 1}`).replace(/\[(\d+)\]/g, (_, k) => ` ${Number(k) + 1}`)
    .replace(/[._]/g, ' ').trim().toUpperCase();
}

function findingEl(f, path, withWhere) {
  const el = h('div', { class: 'finding', dataset: { severity: f.severity || 'error', path } });
  if (withWhere) el.append(h('span', { class: 'f-where', text: where(path) || 'ITEM' }));
  el.append(h('span', { class: 'f-msg', text: f.message || f.text || '' }));
  el.title = f.text || '';
  return el;
}

const CONTROL = 'input, select, textarea';

function placeFindings() {
  for (const el of document.querySelectorAll('.finding:not(.local)')) el.remove();
  for (const el of document.querySelectorAll('[data-finding]')) {
    delete el.dataset.finding;
    if (!ed.localErrors.has(el)) el.removeAttribute('aria-invalid');
  }
  const top = [];
  let errors = 0;
  let warnings = 0;
  for (const f of ed.findings) {
    const path = pathNow(f);
    if (path === null) continue; // its item or cue is gone
    if (f.severity === 'warning') warnings++; else errors++;
    // The most precise element that has a path at or above the finding's.
    let el = null;
    for (const p of pathPrefixes(path)) {
      el = document.querySelector(`[data-path="${CSS.escape(p)}"]`);
      if (el) break;
    }
    if (!el || el.id === 'show-fields') { top.push({ f, path }); continue; }
    const sev = f.severity === 'warning' ? 'warning' : 'error';
    const mark = (c) => {
      if (c.dataset.finding !== 'error') c.dataset.finding = sev;
      if (c.matches(CONTROL)) c.setAttribute('aria-invalid', 'true');
    };
    mark(el);
    for (const also of document.querySelectorAll(`[data-path-also="${CSS.escape(el.dataset.path)}"]`)) mark(also);
    const tb = el.closest('tbody.item');
    const inDetail = !!el.closest('tr.detail');
    const rowSlot = tb?.querySelector('tr.row-findings .findings');
    if (tb) {
      tb.dataset.finding = tb.dataset.finding === 'error' ? 'error' : sev;
      const det = tb.querySelector('button[data-action="details"]');
      if (inDetail && det && det.dataset.finding !== 'error') det.dataset.finding = sev;
    }
    // A field in open details shows it under itself; the rest under the item's row.
    // (a cue's under the cue, named: its fields are narrow).
    let slot = null;
    let named = false;
    if (inDetail && tb?.classList.contains('open')) {
      const cue = el.closest('.cue');
      if (cue) {
        slot = cue.querySelector(':scope > .cue-findings');
        named = true;
      } else {
        slot = el.closest('.field')?.querySelector(':scope > .findings') || null;
      }
    } else if (!tb) {
      slot = el.closest('.field')?.querySelector(':scope > .findings') || null;
    }
    if (slot) slot.append(findingEl(f, path, named));
    else if (rowSlot) rowSlot.append(findingEl(f, path, true));
    else top.push({ f, path });
  }
  const ul = $('top-findings');
  ul.textContent = '';
  for (const { f, path } of top) {
    const li = h('li', { class: 'finding', dataset: { severity: f.severity || 'error', path } },
      h('span', { class: 'f-where', text: path || 'RUNDOWN' }), h('span', { class: 'f-msg', text: f.message || f.text || '' }));
    li.title = f.text || '';
    ul.append(li);
  }
  $('top-findings-box').hidden = top.length === 0;
  const local = ed.localErrors.size;
  body.dataset.errors = String(errors + local);
  const cs = $('check-status');
  cs.dataset.state = errors + local ? 'error' : warnings ? 'warning' : 'ok';
  const parts = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (local) parts.push(`${local} field${local === 1 ? '' : 's'} not valid JSON`);
  setText(cs, !ed.doc ? '' : parts.length ? `checked: ${parts.join(', ')}` : 'checked: no problems');
  updateSave();
}

// A finding, clicked: its field.
document.addEventListener('click', (e) => {
  const f = e.target.closest?.('.finding[data-path]');
  if (f && !e.target.closest('input, select, textarea, button')) focusPath(f.dataset.path);
});

function focusPath(path) {
  for (const p of pathPrefixes(path)) {
    const el = document.querySelector(`[data-path="${CSS.escape(p)}"]`);
    if (!el) continue;
    const c = el.matches(CONTROL) ? el : el.querySelector(CONTROL);
    if (!c) continue;
    const tb = c.closest('tbody.item');
    if (c.closest('tr.detail') && tb && !tb.classList.contains('open')) ed.toggleDetails(tb.__obj, true);
    c.focus();
    c.scrollIntoView({ block: 'nearest' });
    return;
  }
}

function errorCount() {
  return ed.findings.filter((f) => f.severity !== 'warning' && pathNow(f) !== null).length + ed.localErrors.size;
}

// ---- The show's figures (from the daemon's plan) -----------------------------------------------

function updateFigures() {
  const p = ed.plan;
  const stale = ed.planStale;
  const fig = (id, text) => { setText($(id), text || '\u2013'); $(id).classList.toggle('stale', !!stale && !!p); };
  if (!p) {
    for (const id of ['plan-on-air', 'plan-end', 'plan-off-air', 'plan-over-under', 'plan-duration']) fig(id, '');
    $('plan-over-under').dataset.sign = '';
    return;
  }
  fig('plan-on-air', p.on_air != null ? timeOfDay(p.on_air) : p.relative ? 'first GO' : '');
  fig('plan-end', p.planned_end != null ? timeOfDay(p.planned_end) : p.relative && p.duration_ms != null ? `+${duration(p.duration_ms)}` : '');
  fig('plan-off-air', p.off_air != null ? timeOfDay(p.off_air) : '');
  const ou = p.over_under_ms;
  fig('plan-over-under', ou == null ? '' : `${signed(ou)}${ou > 0 ? ' over' : ou < 0 ? ' under' : ''}`);
  $('plan-over-under').dataset.sign = ou == null ? '' : ou > 500 ? 'over' : ou < -500 ? 'under' : 'zero';
  fig('plan-duration', p.duration_ms != null ? duration(p.duration_ms) : '');
}

// ---- Saving ---------------------------------------------------------------------------------------

let saving = false;

function updateSave() {
  const b = $('save');
  const errs = ed.doc ? errorCount() : 0;
  const down = httpDown || conn.status === 'disconnected';
  b.disabled = !ed.doc || saving || !ed.dirty || errs > 0 || down;
  b.title = !ed.doc ? 'Nothing loaded' : saving ? 'Saving\u2026' : down ? 'The daemon cannot be reached'
    : errs ? `${errs} error${errs === 1 ? '' : 's'} to fix before saving` : !ed.dirty ? 'No unsaved changes' : 'Save (Ctrl+S)';
  b.dataset.errors = String(errs);
  for (const id of ['import-file', 'revert']) $(id).disabled = down || !ed.doc;
}

function setSaveStatus(state, text) {
  const s = $('save-status');
  s.dataset.state = state;
  setText(s, text);
}

function showSaveError(msg) {
  $('save-error-message').textContent = msg;
  $('save-error').hidden = false;
}
$('save-error-dismiss').addEventListener('click', () => { $('save-error').hidden = true; });

function authorName() {
  const a = $('author').value.trim();
  if (!a) {
    $('author').classList.add('needed');
    $('author').focus();
    setSaveStatus('error', 'Type your name (next to SAVE) first: it goes with every version you save.');
  }
  return a;
}

// opts.restoreOf / opts.rundown: save another version's document as a new version.
async function save({ restoreOf = null, rundown = null } = {}) {
  if (saving || !ed.doc) return;
  const author = authorName();
  if (!author) return;
  if (restoreOf == null) {
    if (!ed.dirty) { setSaveStatus('', 'No unsaved changes.'); return; }
    await settled();
    const n = errorCount();
    if (n) {
      setSaveStatus('error', `Not saved: ${n} error${n === 1 ? '' : 's'} to fix first (shown at their fields).`);
      const first = document.querySelector('[aria-invalid="true"]');
      if (first) first.focus();
      return;
    }
  }
  saving = true;
  updateSave();
  setSaveStatus('busy', restoreOf != null ? `restoring version ${restoreOf}\u2026` : 'saving\u2026');
  const req = { rev: ed.rev, rundown: rundown || ed.doc, author, source: restoreOf != null ? 'editor' : ed.source };
  if (restoreOf != null) req.restore_of = restoreOf;
  const r = await api.save(req);
  saving = false;
  const b = r.body || {};
  if (r.status === 200 && b.ok) {
    $('conflict').hidden = true;
    $('save-error').hidden = true;
    const v = b.version?.version ?? b.rev;
    if (restoreOf != null) {
      await loadSource({ quiet: true });
      setSaveStatus('ok', `Restored version ${restoreOf} as version ${v}: on air.`);
    } else {
      ed.rev = b.rev;
      ed.source = 'editor';
      ed.newItems = new WeakSet();
      setText($('rev'), `v${b.rev}`);
      setDirty(false);
      setSaveStatus('ok', b.unchanged ? `No change: version ${b.rev} is on air as it was.` : `Saved as version ${v}: on air.`);
      versions.refresh();
    }
  } else if (r.status === 409 && b.error?.code === 'conflict') {
    showConflict(b);
    setSaveStatus('error', 'Not saved: someone saved since you loaded.');
  } else if (r.status === 400 && Array.isArray(b.findings)) {
    ed.findings = anchor(b.findings, ed.doc.items.map((it) => ({ it, cues: it && Array.isArray(it.cues) ? [...it.cues] : [] })));
    placeFindings();
    setSaveStatus('error', `Not saved: ${b.error?.message || 'the daemon found errors'}`);
  } else if (r.status === 401 || r.status === 403) {
    showAuth(true);
    setSaveStatus('error', 'Not saved: the control token was refused.');
  } else {
    setSaveStatus('error', 'Not saved.');
    showSaveError(`${errorText(r)}${b.error?.code ? ` (${b.error.code})` : ''}`);
  }
  updateSave();
}
$('save').addEventListener('click', () => save());

// Someone else saved (or the file changed) since this draft was loaded.
let theirs = null;
function showConflict(b) {
  theirs = b;
  $('conflict-message').textContent = b.error?.message || 'the rundown was saved since you loaded it';
  $('conflict').hidden = false;
  $('conflict-diff').hidden = b.rev == null || ed.rev == null;
}
$('conflict-dismiss').addEventListener('click', () => { $('conflict').hidden = true; });
$('conflict-diff').addEventListener('click', () => { if (theirs) versions.showDiff(ed.rev, theirs.rev); });
async function loadTheirs() {
  if (ed.dirty && !confirm('Load the version on air? Your unsaved changes in this page are lost.')) return;
  // The draft stays (and stays marked unsaved) until the version on air has replaced it.
  if (await loadSource()) setSaveStatus('', `Loaded version ${ed.rev}.`);
}
$('load-theirs').addEventListener('click', loadTheirs);
$('load-latest').addEventListener('click', loadTheirs);
$('revert').addEventListener('click', async () => {
  if (ed.dirty && !confirm('Drop your unsaved changes and load the version on air?')) return;
  setDirty(false);
  if (await loadSource()) setSaveStatus('', `Loaded version ${ed.rev}.`);
});

// The rundown on air changed: a clean draft follows it; a dirty one is told.
async function onRundownChanged() {
  if (saving) return;
  await versions.refresh();
  checkStale();
}

let autoLoaded = null; // the version on air last loaded by itself (once each)
function checkStale() {
  const on = versions.onAir;
  if (!on || !ed.doc || saving || on.version === ed.rev) { $('stale').hidden = true; return; }
  if (!ed.dirty && autoLoaded !== on.version) {
    autoLoaded = on.version;
    loadSource({ quiet: true }).then((ok) => { if (ok) setSaveStatus('', `Version ${on.version} (${on.source || 'saved'}, ${on.author?.name || on.author?.door || ''}) is on air: loaded.`); });
    return;
  }
  $('stale-message').textContent = `Version ${on.version} is on air now (${on.summary || on.source || 'saved'}; by ${on.author?.name || on.author?.door || 'someone'}). This draft is from version ${ed.rev}: saving it will be refused.`;
  $('stale').hidden = false;
}
window.addEventListener('focus', () => { if (ed.doc && !saving) onRundownChanged(); });

window.addEventListener('beforeunload', (e) => {
  if (!ed.dirty) return;
  e.preventDefault();
  e.returnValue = '';
});

// ---- Import and export --------------------------------------------------------------------------

$('import-file').addEventListener('change', async () => {
  const input = $('import-file');
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  let format = $('import-format').value;
  if (format === 'auto') format = /\.json$/i.test(file.name) ? 'ontime' : 'csv';
  if (ed.dirty && !confirm(`Import ${file.name}? It replaces the draft; your unsaved changes in this page are lost.`)) return;
  const text = await file.text();
  const r = await api.importFile(format, text);
  const b = r.body || {};
  const list = $('import-findings');
  list.textContent = '';
  const findings = Array.isArray(b.findings) ? b.findings : [];
  for (const f of findings) {
    const at = f.line ? `line ${f.line}${f.column ? `, column ${f.column}` : ''}` : f.path || '';
    list.append(h('li', { class: 'finding', dataset: { severity: f.severity || 'error', path: f.path || '' } },
      at ? h('span', { class: 'f-where', text: at }) : null, h('span', { class: 'f-msg', text: f.message || f.text || '' })));
  }
  $('import-box').hidden = false;
  $('import-box').dataset.state = r.status === 200 && b.ok ? 'ok' : 'error';
  if (r.status === 200 && b.ok && b.rundown) {
    setDoc(b.rundown, { source: 'import', dirty: true });
    const n = Array.isArray(b.rundown.items) ? b.rundown.items.length : 0;
    $('import-title').textContent = `Imported ${file.name} (${format}): ${n} item${n === 1 ? '' : 's'}, not saved yet. Check it, then SAVE.${findings.length ? ` ${findings.length} warning${findings.length === 1 ? '' : 's'}:` : ''}`;
  } else {
    $('import-title').textContent = `Not imported: ${file.name} (${format}): ${errorText(r)}`;
  }
});
$('import-dismiss').addEventListener('click', () => { $('import-box').hidden = true; });

// The CSV link needs the token only when viewing is locked (as the index does).
conn.onHello = (hello) => {
  const q = hello.view_token_required && token ? `?token=${encodeURIComponent(token)}` : '';
  $('export-csv').href = `/api/rundown.csv${q}`;
};

// ---- Start ---------------------------------------------------------------------------------------

updateSave();
showConnection();
loadSource();
