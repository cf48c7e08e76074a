// Errors from the daemon, shown where the producer looks: refused commands, reload errors.
import { timeOfDay } from './format.js';

const KEEP_MS = 20000; // a refusal stays this long; sticky ones until dismissed
const MAX = 4;

const box = () => document.getElementById('alerts');
const byKey = new Map();

// key: alerts with the same key replace each other (null: always a new one);
// detail: a string or a list of lines.
export function showAlert(key, title, detail, { sticky = false, code = '' } = {}) {
  if (key && byKey.has(key)) byKey.get(key).remove();
  const el = document.createElement('div');
  el.className = 'alert';
  el.setAttribute('role', 'alert');
  el.dataset.code = code;
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
  if (!sticky) setTimeout(remove, KEEP_MS);
  if (key) byKey.set(key, el);
  const b = box();
  b.prepend(el);
  while (b.children.length > MAX) b.lastElementChild.remove();
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
