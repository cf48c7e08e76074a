// Errors from the daemon, shown where the producer looks: refused commands, reload errors.
// They float over the page (a toast area in its own layer), so one never moves a button.
import { timeOfDay } from './format.js';

export const KEEP_MS = 5000; // a refusal stays this long; sticky ones until dismissed
const MAX = 3;

const box = () => document.getElementById('alerts');
const byKey = new Map();
const sticky = new WeakSet();

// key: alerts with the same key replace each other (null: always a new one);
// detail: a string or a list of lines; keepMs: how long one that is not sticky stays.
export function showAlert(key, title, detail, { sticky: keep = false, code = '', keepMs = KEEP_MS } = {}) {
  if (key && byKey.has(key)) byKey.get(key).remove();
  const el = document.createElement('div');
  el.className = 'alert';
  el.setAttribute('role', 'alert');
  el.dataset.code = code;
  if (keep) {
    sticky.add(el);
    el.dataset.sticky = 'true';
  }
  const head = document.createElement('div');
  head.className = 'alert-head';
  const t = document.createElement('strong');
  t.textContent = title;
  const when = document.createElement('span');
  when.className = 'alert-time num';
  when.textContent = timeOfDay(Date.now());
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'alert-close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '\u00d7';
  head.append(t, when, close);
  el.append(head);
  const lines = Array.isArray(detail) ? detail : [detail];
  if (lines.length > 1) {
    const ul = document.createElement('ul');
    for (const l of lines) {
      const li = document.createElement('li');
      li.textContent = l;
      ul.append(li);
    }
    el.append(ul);
  } else if (lines[0]) {
    const p = document.createElement('div');
    p.className = 'alert-detail';
    p.textContent = lines[0];
    el.append(p);
  }
  const remove = () => {
    el.remove();
    if (key && byKey.get(key) === el) byKey.delete(key);
  };
  close.addEventListener('click', remove);
  if (!keep) setTimeout(remove, keepMs);
  if (key) byKey.set(key, el);
  const b = box();
  b.prepend(el);
  // Too many: the oldest refusal goes first, a sticky one (a reload's errors) last.
  while (b.children.length > MAX) {
    const old = [...b.children].reverse().find((c) => !sticky.has(c)) || b.lastElementChild;
    old.remove();
  }
  return el;
}

export function hasAlert(key) {
  return byKey.has(key);
}

export function clearAlert(key) {
  const el = byKey.get(key);
  if (el) el.remove();
  byKey.delete(key);
}

// A new connection: what was refused before it (a "disconnected" refusal above all) is
// history, and sticky errors belong to a daemon that may have restarted since.
export function clearAlerts() {
  box().textContent = '';
  byKey.clear();
}
