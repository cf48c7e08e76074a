// Form fields bound to the document: each writes its value into its object in place (never
// rebuilding the object, so keys the editor does not know stay) and tells the editor.
import { display, parseJSON, pretty } from './editor-doc.js';

// h('input', {class: 'x', dataset: {field: 'title'}}, ...children)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'text') el.textContent = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

// A labelled field: the label, the control, and the slot its findings go to.
export function field(label, control, cls = '') {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 10)}`;
  control.id = id;
  return h('div', { class: `field ${cls}`.trim() },
    label ? h('label', { for: id, class: 'field-label', text: label }) : null,
    control,
    h('div', { class: 'findings', 'aria-live': 'polite' }));
}

// The element's owner (item or cue object) and field name: how focus finds its field again
// after the table is rebuilt (a move changes every path).
export function own(el, obj, name) {
  el.__obj = obj;
  el.dataset.field = name;
  return el;
}

// A text field for obj[key]. optional: an empty field removes the key. convert: text -> value.
export function bindText(ed, el, obj, key, { optional = false, convert = (t) => t, after } = {}) {
  el.value = display(obj[key]);
  el.addEventListener('input', () => {
    const t = el.value;
    if (t === '' && optional) {
      if (!(key in obj)) return;
      delete obj[key];
    } else {
      if (key in obj && t === display(obj[key])) return;
      obj[key] = convert(t);
    }
    if (after) after(t);
    ed.changed();
  });
  return el;
}

// A JSON field for obj[key] (an object, a list or any value). A text that is not JSON leaves the
// document as it was and holds the save until it is fixed (the daemon never sees it).
export function bindJSON(ed, el, obj, key, { optional = true, expect } = {}) {
  const v = obj[key];
  el.value = v === undefined ? '' : (JSON.stringify(v).length <= 60 ? JSON.stringify(v) : pretty(v));
  const slotOf = () => el.closest('.field')?.querySelector('.findings');
  el.addEventListener('input', () => {
    const t = el.value.trim();
    let err = null;
    if (t === '') {
      if (optional) delete obj[key];
      else err = 'cannot be empty';
    } else {
      try {
        const parsed = parseJSON(t);
        if (expect === 'object' && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))) err = 'must be a JSON object, e.g. {"sceneName": "Cam 2"}';
        else obj[key] = parsed;
      } catch (e) {
        err = `not valid JSON: ${e.message}`;
      }
    }
    ed.localError(el, err, slotOf());
    if (!err) ed.changed();
  });
  return el;
}

export function select(options, value) {
  const s = h('select');
  for (const o of options) {
    const [v, label] = Array.isArray(o) ? o : [o, o];
    s.append(h('option', { value: v, text: label }));
  }
  s.value = value;
  return s;
}

// Small icons drawn here (no icon font to load, no glyph a system may lack).
const ICONS = {
  duplicate: '<svg viewBox="0 0 16 16" width="15" height="15" aria-hidden="true"><rect x="1.5" y="4.5" width="9" height="10" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M5.5 2.5V2a1 1 0 0 1 1-1h7a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H13" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>',
};
export function icon(name) {
  const s = document.createElement('span');
  s.className = 'svg-icon';
  s.innerHTML = ICONS[name] || '';
  return s;
}
