// The printable run-of-show (/print/): the rundown on air (GET /api/rundown, view token rules)
// as one table, a <tbody class="pr-item"> per item that never breaks across pages, the column
// heads repeated on every page. Notes, script and cues on or off by the checkboxes.
// Hooks: body[data-state=loading|ready|locked|error], #pr-title #pr-date #pr-on-air #pr-off-air
// #pr-end #pr-count #pr-rev, #pr-table tbody.pr-item[data-id] (.c-n .c-title .c-rule .c-planned
// .c-dur .c-back, tr.pr-notes, tr.pr-script, tr.pr-cues), #with-notes #with-script #with-cues #print.
import { cueAt, signed, timeOfDay } from './format.js';
import { authHeaders, setToken, tokenFromUrl } from './token.js';

const $ = (id) => document.getElementById(id);
let token = tokenFromUrl();
let rundown = null;

const pad = (n) => String(n).padStart(2, '0');

// A duration as written on paper: m:ss, h:mm:ss, with the fraction when there is one.
function dur(ms) {
  if (ms == null) return '';
  if (ms === 0) return 'open';
  const s = Math.floor(ms / 1000);
  const frac = ms % 1000;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const base = h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  return frac ? `${base}.${String(frac).padStart(3, '0').replace(/0+$/, '')}` : base;
}

function dateText(ms) {
  if (ms == null) return '';
  return new Date(ms).toLocaleDateString(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

async function load() {
  document.body.dataset.state = 'loading';
  let res;
  try {
    res = await fetch('/api/rundown', { headers: authHeaders(token), cache: 'no-store' });
  } catch {
    document.body.dataset.state = 'error';
    $('pr-status').textContent = 'The daemon cannot be reached.';
    return;
  }
  if (res.status === 401 || res.status === 403) {
    document.body.dataset.state = 'locked';
    $('lock').hidden = false;
    $('lock-error').hidden = !token;
    $('lock-token').focus();
    return;
  }
  if (!res.ok) {
    document.body.dataset.state = 'error';
    $('pr-status').textContent = `No rundown: HTTP ${res.status}`;
    return;
  }
  rundown = await res.json();
  $('lock').hidden = true;
  render();
  document.body.dataset.state = 'ready';
}

function render() {
  const r = rundown;
  const items = r.items || [];
  const first = items[0];
  const dayMs = r.on_air ?? first?.planned_start ?? null;
  const rel = !!r.relative;
  document.title = `${r.title} \u00b7 run-of-show`;
  $('pr-title').textContent = r.title;
  $('pr-date').textContent = r.date || (rel ? 'from the first GO' : dateText(dayMs));
  $('pr-on-air').textContent = r.on_air != null ? timeOfDay(r.on_air) : rel ? 'first GO' : '\u2013';
  $('pr-off-air').textContent = r.off_air != null ? timeOfDay(r.off_air) : '\u2013';
  let end = r.planned_end != null ? timeOfDay(r.planned_end) : '\u2013';
  if (r.planned_end != null && r.off_air != null) {
    const ou = r.over_under_ms ?? r.planned_end - r.off_air;
    end += ou === 0 ? ' (on time)' : ` (${signed(ou)} ${ou > 0 ? 'over' : 'under'})`;
  }
  $('pr-end').textContent = end;
  $('pr-count').textContent = String(items.length);
  $('pr-rev').textContent = r.rev != null ? `v${r.rev}` : '\u2013';
  $('pr-running-title').textContent = r.title;
  $('pr-running-meta').textContent = [r.date || (!rel && dayMs != null ? dateText(dayMs) : ''), r.on_air != null ? `on air ${timeOfDay(r.on_air)}` : '', r.off_air != null ? `off air ${timeOfDay(r.off_air)}` : '', r.rev != null ? `v${r.rev}` : ''].filter(Boolean).join(' \u00b7 ');
  $('pr-printed').textContent = `Printed ${new Date().toLocaleString()} from showcaller${r.rev != null ? `, version ${r.rev}` : ''}.`;

  const table = $('pr-table');
  for (const tb of [...table.tBodies]) tb.remove();
  const withNotes = $('with-notes').checked;
  const withScript = $('with-script').checked;
  const withCues = $('with-cues').checked;
  items.forEach((it, i) => {
    const tb = el('tbody', 'pr-item');
    tb.dataset.id = it.id;
    const main = el('tr', 'pr-main');
    main.append(el('td', 'c-n num', String(i + 1)));
    const t = el('td', 'c-title');
    t.append(el('span', 'pr-it-title', it.title), el('span', 'pr-id', it.id));
    main.append(t);
    const rule = it.start_rule === 'time' ? `hard ${timeOfDay(it.hard_start)}` : it.start_rule === 'follow' ? 'follow' : 'GO';
    main.append(el('td', `c-rule rule-${it.start_rule}`, rule));
    main.append(el('td', 'c-planned num', it.planned_start != null ? timeOfDay(it.planned_start) : rel ? `+${dur(it.planned_offset_ms) === 'open' ? '0:00' : dur(it.planned_offset_ms)}` : ''));
    main.append(el('td', 'c-dur num', dur(it.duration_ms)));
    main.append(el('td', 'c-back num', it.back_time != null ? timeOfDay(it.back_time) : ''));
    tb.append(main);
    const wide = (cls, label, content) => {
      const tr = el('tr', cls);
      tr.append(el('td', 'c-n'));
      const td = el('td', 'pr-wide');
      td.colSpan = 5;
      const row = el('div', 'pr-row');
      row.append(el('span', 'pr-label', label), content);
      td.append(row);
      tr.append(td);
      tb.append(tr);
    };
    if (withNotes && it.notes) wide('pr-notes', 'NOTES', el('span', 'pr-text', it.notes));
    if (withScript && it.script) wide('pr-script', 'SCRIPT', el('div', 'pr-text pr-script-text', it.script));
    if (withCues && it.cues?.length) {
      const list = el('table', 'pr-cue-table');
      for (const c of it.cues) {
        const tr = el('tr');
        tr.append(el('td', 'pr-cue-at num', cueAt(c.anchor, c.offset_ms)), el('td', 'pr-cue-target', c.target), el('td', 'pr-cue-label', c.label || c.id));
        list.append(tr);
      }
      wide('pr-cues', `CUES (${it.cues.length})`, list);
    }
    table.append(tb);
  });
}

for (const id of ['with-notes', 'with-script', 'with-cues']) $(id).addEventListener('change', () => { if (rundown) render(); });
$('print').addEventListener('click', () => window.print());
$('lock-form').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $('lock-token').value.trim();
  setToken(token);
  load();
});
load();
