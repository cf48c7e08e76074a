// The rundown table of the editor: one <tbody class="item"> per item (its row of fields, a line
// for its findings, and its details: notes, script, id and cues), drag and drop by the handle,
// and the planned times the daemon computed for the draft.
import { display, itemPath } from './editor-doc.js';
import { bindText, field, h, icon, own, select } from './editor-fields.js';
import { buildCues } from './editor-cues.js';
import { duration, timeOfDay } from './format.js';

export const COLS = 12;

function startKind(item) {
  const s = item.start;
  if (s === undefined || s === 'go') return 'go';
  if (s === 'follow') return 'follow';
  return 'time';
}

export function buildTable(ed) {
  const table = ed.tableEl;
  for (const tb of [...table.tBodies]) tb.remove();
  ed.rows = new Map(); // item -> tbody
  const items = Array.isArray(ed.doc.items) ? ed.doc.items : [];
  items.forEach((item, i) => {
    const tb = itemBody(ed, item, i);
    ed.rows.set(item, tb);
    table.append(tb);
  });
  document.getElementById('empty-note').hidden = items.length > 0;
  updatePlan(ed);
}

function itemBody(ed, item, i) {
  const p = itemPath(i);
  const tb = h('tbody', { class: 'item', dataset: { index: String(i), path: p } });
  tb.__obj = item;
  if (!item || typeof item !== 'object' || Array.isArray(item)) {
    tb.append(h('tr', { class: 'main' }, h('td', { colspan: COLS, class: 'dim', text: `item ${i + 1} is not an object: ${display(item)}` })),
      h('tr', { class: 'row-findings' }, h('td', { colspan: COLS }, h('div', { class: 'findings' }))));
    return tb;
  }
  if (typeof item.id === 'string') tb.dataset.id = item.id;
  const open = ed.open.has(item);
  tb.classList.toggle('open', open);

  const input = (name, cls, opts = {}) => {
    const el = own(h('input', { type: 'text', class: cls, spellcheck: false, autocomplete: 'off', ...opts.attrs }), item, name);
    el.dataset.path = `${p}.${opts.key || name}`;
    return el;
  };

  // The handle: drag it, or focus it (or any field of the row) and press Alt+Up/Down.
  const handle = own(h('button', { type: 'button', class: 'handle', draggable: 'true', dataset: { action: 'drag' },
    title: 'Drag to move (or Alt+Up / Alt+Down)', 'aria-label': `Move item ${i + 1}: drag, or Alt+Up / Alt+Down`, text: '\u2807' }), item, 'handle');
  const title = input('title', 'w-title', { attrs: { placeholder: 'title', 'aria-label': `Item ${i + 1} title` } });
  bindText(ed, title, item, 'title', { after: (t) => ed.titleTyped(item, t) });

  const kind = startKind(item);
  const rule = own(select([['go', 'GO'], ['follow', 'follow'], ['time', 'time']], kind), item, 'start');
  rule.dataset.path = `${p}.start`;
  rule.setAttribute('aria-label', `Item ${i + 1} start rule`);
  const tod = input('start-time', 'w-time', { key: 'start', attrs: { placeholder: 'HH:MM:SS', inputmode: 'numeric', 'aria-label': `Item ${i + 1} start time of day` } });
  tod.removeAttribute('data-path'); // the rule's select carries the path; findings go to both
  tod.dataset.pathAlso = `${p}.start`;
  tod.value = kind === 'time' ? display(item.start) : '';
  tod.hidden = kind !== 'time';
  rule.addEventListener('change', () => {
    if (rule.value === 'go') {
      if ('start' in item) item.start = 'go';
    } else if (rule.value === 'follow') {
      item.start = 'follow';
    } else {
      if (!tod.value) {
        const pl = ed.planOf(item);
        tod.value = pl?.planned_start != null ? timeOfDay(pl.planned_start) : (typeof ed.doc.on_air === 'string' ? ed.doc.on_air : '');
      }
      item.start = tod.value;
    }
    tod.hidden = rule.value !== 'time';
    ed.changed();
    if (rule.value === 'time') tod.focus();
  });
  tod.addEventListener('input', () => { item.start = tod.value; ed.changed(); });

  const dur = input('duration', 'w-dur', { attrs: { placeholder: '1:30', 'aria-label': `Item ${i + 1} duration`, title: 'Duration: 90, 90s, 1:30, 00:01:30, 00:01:30:12; 0 for open-ended' } });
  bindText(ed, dur, item, 'duration');
  const warn = input('warn', 'w-dur', { attrs: { placeholder: '\u2013', 'aria-label': `Item ${i + 1} warn`, title: 'Warn at this much remaining (empty: the config\'s default)' } });
  bindText(ed, warn, item, 'warn', { optional: true });
  const crit = input('critical', 'w-dur', { attrs: { placeholder: '\u2013', 'aria-label': `Item ${i + 1} critical`, title: 'Critical at this much remaining (empty: the config\'s default)' } });
  bindText(ed, crit, item, 'critical', { optional: true });

  const ncues = Array.isArray(item.cues) ? item.cues.length : 0;
  const details = own(h('button', { type: 'button', class: 'small details', dataset: { action: 'details' }, 'aria-expanded': String(open),
    title: 'Notes, script and cues (Alt+E)' }), item, 'details');
  details.append(h('span', { class: 'n-cues num', text: ncues ? `${ncues} cue${ncues === 1 ? '' : 's'}` : 'no cues' }),
    h('span', { class: 'notes-mark', text: item.notes || item.script ? ' \u00b7 notes' : '' }),
    h('span', { class: 'caret', text: open ? ' \u25be' : ' \u25b8' }));
  details.addEventListener('click', () => ed.toggleDetails(item));

  const act = (action, text, label, fn) => {
    const b = own(h('button', { type: 'button', class: 'small icon', dataset: { action }, title: label, 'aria-label': label }, text), item, action);
    b.addEventListener('click', fn);
    return b;
  };
  const main = h('tr', { class: 'main' },
    h('td', { class: 'c-handle' }, handle),
    h('td', { class: 'c-n num', text: String(i + 1) }),
    h('td', { class: 'c-title' }, title),
    h('td', { class: 'c-start' }, h('div', { class: 'start-cell' }, rule, tod)),
    h('td', { class: 'c-dur' }, dur),
    h('td', { class: 'c-warn' }, warn),
    h('td', { class: 'c-crit' }, crit),
    h('td', { class: 'c-planned num' }),
    h('td', { class: 'c-back num' }),
    h('td', { class: 'c-end num' }),
    h('td', { class: 'c-cues' }, details),
    h('td', { class: 'c-act' },
      act('duplicate', icon('duplicate'), 'Duplicate item (Alt+D)', () => ed.duplicateItem(item)),
      act('delete', '\u2715', 'Delete item (Alt+Delete)', () => ed.deleteItem(item))),
  );
  const findRow = h('tr', { class: 'row-findings' }, h('td', { colspan: COLS }, h('div', { class: 'findings' })));

  // Details: notes, script, id; then the cues.
  const notes = own(h('textarea', { rows: 3, class: 'w-notes', placeholder: 'for the crew' }), item, 'notes');
  notes.dataset.path = `${p}.notes`;
  bindText(ed, notes, item, 'notes', { optional: true, after: () => ed.markNotes(item) });
  const script = own(h('textarea', { rows: 6, class: 'w-script', placeholder: 'for the prompter' }), item, 'script');
  script.dataset.path = `${p}.script`;
  bindText(ed, script, item, 'script', { optional: true, after: () => ed.markNotes(item) });
  const id = input('id', 'w-id', { attrs: { placeholder: ed.itemId(item, i), 'aria-label': `Item ${i + 1} id`, title: 'Unique id (letters, digits, - _ .): what the as-run log and GOTO name' } });
  bindText(ed, id, item, 'id', { optional: true, after: () => ed.idTyped(item) });
  const cuesBox = h('div', { class: 'cues-box' });
  buildCues(ed, item, i, cuesBox);
  const detail = h('tr', { class: 'detail' }, h('td', { colspan: COLS },
    h('div', { class: 'detail-grid' }, field('NOTES', notes, 'f-notes'), field('SCRIPT', script, 'f-script'), field('ID', id, 'f-id')),
    cuesBox));
  detail.hidden = !open;

  tb.append(main, findRow, detail);
  dragAndDrop(ed, tb, handle, item);
  return tb;
}

// ---- Drag and drop by the handle -------------------------------------------------------------

let dragging = null; // the item being dragged

function dragAndDrop(ed, tb, handle, item) {
  handle.addEventListener('dragstart', (e) => {
    dragging = item;
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', String(ed.doc.items.indexOf(item)));
    const main = tb.querySelector('tr.main');
    if (main) e.dataTransfer.setDragImage(main, 20, 20);
    tb.classList.add('dragging');
  });
  handle.addEventListener('dragend', () => {
    dragging = null;
    tb.classList.remove('dragging');
    for (const t of ed.tableEl.tBodies) t.classList.remove('drop-before', 'drop-after');
  });
  tb.addEventListener('dragover', (e) => {
    if (!dragging) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    const r = tb.querySelector('tr.main').getBoundingClientRect();
    const after = e.clientY > r.top + r.height / 2;
    for (const t of ed.tableEl.tBodies) if (t !== tb) t.classList.remove('drop-before', 'drop-after');
    tb.classList.toggle('drop-after', after);
    tb.classList.toggle('drop-before', !after);
  });
  tb.addEventListener('dragleave', (e) => {
    if (!tb.contains(e.relatedTarget)) tb.classList.remove('drop-before', 'drop-after');
  });
  tb.addEventListener('drop', (e) => {
    if (!dragging) return;
    e.preventDefault();
    const after = tb.classList.contains('drop-after');
    tb.classList.remove('drop-before', 'drop-after');
    const items = ed.doc.items;
    const from = items.indexOf(dragging);
    let to = items.indexOf(item) + (after ? 1 : 0);
    if (from < 0 || to < 0) return;
    if (from < to) to--;
    const moved = dragging;
    dragging = null;
    if (from !== to) ed.moveItemTo(moved, to, 'handle');
  });
}

// ---- The plan ---------------------------------------------------------------------------------

// The daemon's plan of the draft in the row's cells (never computed here). relative: times
// counted from the first GO ("+1:30").
export function updatePlan(ed) {
  const rel = !!ed.plan?.relative;
  const t = (ms, offset) => (ms != null ? timeOfDay(ms) : offset != null && rel ? `+${duration(offset)}` : '');
  for (const [item, tb] of ed.rows) {
    const pl = ed.planOf(item);
    const cells = { planned: tb.querySelector('.c-planned'), back: tb.querySelector('.c-back'), end: tb.querySelector('.c-end') };
    if (!cells.planned) continue;
    const set = (el, text, ms) => {
      if (el.textContent !== text) el.textContent = text;
      if (ms != null) el.dataset.ms = String(ms); else delete el.dataset.ms;
    };
    set(cells.planned, pl ? t(pl.planned_start, pl.planned_offset_ms) : '', pl?.planned_start);
    set(cells.back, pl ? t(pl.back_time, null) : '', pl?.back_time);
    set(cells.end, pl ? t(pl.planned_end, null) : '', pl?.planned_end);
    tb.classList.toggle('plan-stale', !!pl && ed.planStale);
    const idInput = tb.querySelector('input[data-field="id"]');
    if (idInput && pl?.id) idInput.placeholder = pl.id;
  }
}
