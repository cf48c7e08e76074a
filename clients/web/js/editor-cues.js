// An item's cues in the editor: target, at, label, id, and the message in the form its
// target's kind takes (OSC address and typed arguments; text; HTTP method, path and body; an
// OBS request and its data). Everything is written into the cue object in place.
import { clone, cuePath, display, isRaw, parseJSON, payloadKey, PAYLOAD_KEYS, pretty } from './editor-doc.js';
import { bindJSON, bindText, field, h, icon, own, select } from './editor-fields.js';

// The messages a cue had before its target changed kind: switching back brings them back.
const stashed = new WeakMap();

const OSC_TAGS = ['i', 'f', 's', 'T', 'F', 'N', 'h', 'd', 'S', 'c', 'I', 'm', 'b'];
const TAG_HELP = 'OSC type: i int, f float, s string, T true, F false, N nil, h int64, d double, S symbol, c char, I impulse, m MIDI [port, status, d1, d2], b blob [bytes]';
const NO_VALUE = { T: true, F: false, N: null, I: null };

export function targetKind(ed, name) {
  return ed.targets.find((t) => t.name === name)?.kind || null;
}

function presentKey(c) {
  return PAYLOAD_KEYS.find((k) => k in c) || null;
}

function emptyPayload(key) {
  switch (key) {
    case 'osc': return { address: '' };
    case 'http': return { method: 'GET', path: '/' };
    case 'obs': return { request: '' };
    default: return '';
  }
}

export function newCue(ed, item) {
  const prev = Array.isArray(item.cues) && item.cues.length ? item.cues[item.cues.length - 1] : null;
  const target = prev?.target || ed.targets[0]?.name || '';
  const key = payloadKey(targetKind(ed, target)) || 'osc';
  return { at: '0', target, [key]: emptyPayload(key) };
}

// Changing a cue's target to one of another kind swaps its message for one of that kind.
function retarget(ed, c, name) {
  c.target = name;
  const want = payloadKey(targetKind(ed, name));
  const have = presentKey(c);
  if (!want || want === have) return false;
  const stash = stashed.get(c) || {};
  if (have) {
    stash[have] = c[have];
    delete c[have];
  }
  c[want] = want in stash ? stash[want] : emptyPayload(want);
  delete stash[want];
  stashed.set(c, stash);
  return true;
}

export function buildCues(ed, item, i, box) {
  box.textContent = '';
  if (item.cues !== undefined && !Array.isArray(item.cues)) {
    box.append(h('p', { class: 'dim', text: 'This item\'s "cues" is not a list: fix it in the file.' }));
    return;
  }
  const cues = item.cues || [];
  const list = h('div', { class: 'cue-list', dataset: { path: `items[${i}].cues` } });
  cues.forEach((c, j) => list.append(cueBlock(ed, item, i, c, j)));
  const add = own(h('button', { type: 'button', class: 'small', dataset: { action: 'add-cue' }, text: '+ Cue' }), item, 'add-cue');
  add.addEventListener('click', () => {
    if (!Array.isArray(item.cues)) item.cues = [];
    const c = newCue(ed, item);
    item.cues.push(c);
    ed.changed({ structural: true, focus: { obj: c, field: 'cue-at' } });
  });
  box.append(h('div', { class: 'cue-head' }, h('span', { class: 'key', text: `CUES (${cues.length})` }), add), list);
}

function cueBlock(ed, item, i, c, j) {
  const p = cuePath(i, j);
  const div = h('div', { class: 'cue', dataset: { cueIndex: String(j), path: p } });
  div.__obj = c;
  if (!c || typeof c !== 'object' || Array.isArray(c)) {
    div.append(h('span', { class: 'dim', text: `cue ${j + 1} is not an object: ${display(c)}` }), h('div', { class: 'findings' }));
    return div;
  }
  const names = ed.targets.map((t) => [t.name, t.name]);
  if (typeof c.target === 'string' && !ed.targets.some((t) => t.name === c.target)) names.push([c.target, `${c.target || '(none)'} (not in the config)`]);
  const tsel = own(select(names, display(c.target)), c, 'cue-target');
  tsel.dataset.path = `${p}.target`;
  tsel.setAttribute('aria-label', `Cue ${j + 1} target`);
  tsel.title = ed.targets.map((t) => `${t.name}: ${t.kind} ${t.url || ''}`).join('\n');
  tsel.addEventListener('change', () => {
    const swapped = retarget(ed, c, tsel.value);
    ed.changed(swapped ? { structural: true, focus: { obj: c, field: 'cue-target' } } : {});
  });
  const at = own(h('input', { type: 'text', class: 'w-at', placeholder: '0', spellcheck: false, autocomplete: 'off', title: '0, 5s, -2s (pre-roll), end, end-3s' }), c, 'cue-at');
  at.dataset.path = `${p}.at`;
  bindText(ed, at, c, 'at', { optional: true });
  const label = own(h('input', { type: 'text', class: 'w-label', placeholder: 'label', autocomplete: 'off' }), c, 'cue-label');
  label.dataset.path = `${p}.label`;
  bindText(ed, label, c, 'label', { optional: true });
  const id = own(h('input', { type: 'text', class: 'w-cid', spellcheck: false, autocomplete: 'off', placeholder: `${ed.itemId(item, i)}.${j + 1}` }), c, 'cue-id');
  id.dataset.path = `${p}.id`;
  bindText(ed, id, c, 'id', { optional: true });

  const tools = h('div', { class: 'cue-tools' });
  const tool = (action, text, title, fn) => {
    const b = own(h('button', { type: 'button', class: 'small icon', dataset: { action }, title, 'aria-label': title }, text), c, action);
    b.addEventListener('click', fn);
    tools.append(b);
  };
  tool('cue-up', '\u2191', 'Move cue up (Alt+Up)', () => ed.moveCue(item, j, -1));
  tool('cue-down', '\u2193', 'Move cue down (Alt+Down)', () => ed.moveCue(item, j, 1));
  tool('cue-duplicate', icon('duplicate'), 'Duplicate cue', () => {
    const copy = clone(c);
    delete copy.id;
    item.cues.splice(j + 1, 0, copy);
    ed.changed({ structural: true, focus: { obj: copy, field: 'cue-at' } });
  });
  tool('cue-delete', '\u2715', 'Delete cue', () => {
    item.cues.splice(j, 1);
    if (!item.cues.length) delete item.cues;
    ed.changed({ structural: true, focus: { obj: item, field: 'add-cue' } });
  });

  div.append(
    h('span', { class: 'cue-n num', text: String(j + 1) }),
    field('TARGET', tsel, 'f-target'),
    field('AT', at, 'f-at'),
    field('LABEL', label, 'f-label'),
    messageEditor(ed, c, p),
    field('CUE ID', id, 'f-cid'),
    tools,
    h('div', { class: 'findings cue-findings' }),
  );
  return div;
}

// ---- Messages ------------------------------------------------------------------------------

function messageEditor(ed, c, p) {
  const kind = targetKind(ed, c.target);
  const key = presentKey(c) || payloadKey(kind) || 'osc';
  // A cue with no message gets the empty form of one, attached to it at the first keystroke.
  const v = key in c ? c[key] : emptyPayload(key);
  if (!(key in c)) {
    const inner = ed;
    ed = Object.create(inner);
    ed.changed = (o) => { if (!(key in c) && typeof v === 'object') c[key] = v; inner.changed(o); };
  }
  const box = h('div', { class: `msg msg-${key}`, dataset: { path: `${p}.${key}`, key } });
  const kp = `${p}.${key}`;
  if (key === 'osc' && v && typeof v === 'object' && !Array.isArray(v)) oscEditor(ed, c, v, kp, box);
  else if (key === 'ws') textOrJSON(ed, c, 'ws', kp, box, 'MESSAGE (WS)');
  else if (key === 'tcp' && (typeof v === 'string' || v === undefined)) {
    const t = own(h('input', { type: 'text', class: 'w-msg', placeholder: 'PLAY 1-10 AMB', spellcheck: false, autocomplete: 'off' }), c, 'tcp');
    t.dataset.path = kp;
    bindText(ed, t, c, 'tcp');
    box.append(field('LINE (TCP)', t, 'f-grow'));
  } else if (key === 'http' && v && typeof v === 'object' && !Array.isArray(v)) httpEditor(ed, c, v, kp, box);
  else if (key === 'obs' && v && typeof v === 'object' && !Array.isArray(v)) obsEditor(ed, c, v, kp, box);
  else {
    const t = own(h('textarea', { rows: 2, class: 'w-json', spellcheck: false }), c, 'payload');
    t.dataset.path = kp;
    bindJSON(ed, t, c, key, { optional: false });
    box.append(field(`MESSAGE (${key.toUpperCase()}, JSON)`, t, 'f-grow'));
  }
  return box;
}

// OSC: the address, then each argument with its type tag.
function inferTag(v) {
  if (isRaw(v)) return /[.eE]/.test(v.rawJSON) ? 'f' : 'h';
  if (typeof v === 'number') return Number.isInteger(v) ? (v >= -2147483648 && v <= 2147483647 ? 'i' : 'h') : 'f';
  if (typeof v === 'string') return 's';
  if (v === true) return 'T';
  if (v === false) return 'F';
  if (v === null) return 'N';
  return 'b';
}

function argValue(tag, text) {
  const t = text.trim();
  if (tag in NO_VALUE) return NO_VALUE[tag];
  if (tag === 'i' || tag === 'h') {
    if (/^[-+]?\d+$/.test(t)) {
      const n = Number(t);
      return Number.isSafeInteger(n) ? n : JSON.rawJSON(t.replace(/^\+/, ''));
    }
    return text;
  }
  if (tag === 'f' || tag === 'd') {
    if (t !== '' && Number.isFinite(Number(t)) && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) {
      const n = Number(t);
      // "1.0" stays a real, not the integer 1 (without types it would be sent as an int).
      return Number.isInteger(n) && typeof JSON.rawJSON === 'function' ? JSON.rawJSON(t.replace(/^\+/, '')) : n;
    }
    return text;
  }
  if (tag === 'm' || tag === 'b') {
    try { return JSON.parse(t); } catch { return text; }
  }
  return text;
}

function oscEditor(ed, c, osc, kp, box) {
  const addr = own(h('input', { type: 'text', class: 'w-addr', placeholder: '/address', spellcheck: false, autocomplete: 'off' }), c, 'osc-address');
  addr.dataset.path = `${kp}.address`;
  bindText(ed, addr, osc, 'address');
  const typed = typeof osc.types === 'string';
  const tags0 = typed ? osc.types.replace(/^,/, '') : '';
  const args = Array.isArray(osc.args) ? osc.args : osc.args === undefined ? [] : null;
  const argsBox = h('div', { class: 'osc-args', dataset: { path: `${kp}.args` } });
  const wrap = h('div', { class: 'field f-args', dataset: { path: `${kp}.types` } },
    h('span', { class: 'field-label', text: 'ARGS' }), argsBox, h('div', { class: 'findings' }));
  if (args === null) {
    // Not a list: leave it to the JSON form.
    const t = own(h('textarea', { rows: 1, class: 'w-json', spellcheck: false }), c, 'osc-args-json');
    t.dataset.path = `${kp}.args`;
    bindJSON(ed, t, osc, 'args');
    argsBox.append(t);
  } else {
    const rows = args.map((v, k) => ({ tag: tags0[k] || inferTag(v), v }));
    // Writes the arguments back: types only when the document had them or a tag differs
    // from what the JSON value would give.
    const write = (structural, focus) => {
      const vals = rows.map((r) => r.v);
      const tags = rows.map((r) => r.tag).join('');
      const needTypes = typed || rows.some((r) => r.tag !== inferTag(r.v));
      if (rows.length) {
        osc.args = vals;
        if (needTypes) osc.types = tags;
      } else {
        delete osc.args;
        if (typed) osc.types = ''; else delete osc.types;
      }
      ed.changed(structural ? { structural: true, focus } : {});
    };
    rows.forEach((r, k) => {
      const sel = own(select(OSC_TAGS, r.tag), c, 'osc-type');
      if (!OSC_TAGS.includes(r.tag)) sel.append(h('option', { value: r.tag, text: r.tag }));
      sel.value = r.tag;
      sel.dataset.arg = String(k);
      sel.setAttribute('aria-label', `Argument ${k + 1} type`);
      sel.title = TAG_HELP;
      const val = own(h('input', { type: 'text', class: 'w-arg', spellcheck: false, autocomplete: 'off', 'aria-label': `Argument ${k + 1} value` }), c, 'osc-value');
      val.dataset.arg = String(k);
      val.dataset.path = `${kp}.args[${k}]`;
      const showVal = () => {
        const none = r.tag in NO_VALUE;
        val.disabled = none;
        val.value = none ? '' : typeof r.v === 'string' ? r.v : display(r.v);
        val.placeholder = none ? display(NO_VALUE[r.tag]) || 'nil' : '';
      };
      showVal();
      sel.addEventListener('change', () => {
        r.tag = sel.value;
        r.v = argValue(r.tag, val.value);
        showVal();
        write(false);
      });
      val.addEventListener('input', () => {
        r.v = argValue(r.tag, val.value);
        write(false);
      });
      const rm = own(h('button', { type: 'button', class: 'small icon', dataset: { action: 'remove-arg', arg: String(k) }, title: 'Remove argument', 'aria-label': `Remove argument ${k + 1}`, text: '\u2715' }), c, 'remove-arg');
      rm.addEventListener('click', () => {
        rows.splice(k, 1);
        write(true, { obj: c, field: 'add-arg' });
      });
      argsBox.append(h('span', { class: 'osc-arg', dataset: { arg: String(k) } }, sel, val, rm));
    });
    const add = own(h('button', { type: 'button', class: 'small', dataset: { action: 'add-arg' }, text: '+ arg', title: 'Add an argument' }), c, 'add-arg');
    add.addEventListener('click', () => {
      rows.push({ tag: 'i', v: 0 });
      write(true, { obj: c, field: 'osc-value', last: true });
    });
    argsBox.append(add);
  }
  box.append(field('OSC ADDRESS', addr, 'f-addr'), wrap);
}

// A websocket message (or an HTTP body): a text sent as it is, or a JSON value.
function textOrJSON(ed, c, key, kp, box, label, holder = c, optional = false) {
  const v = holder[key];
  const name = key === 'body' ? 'http-body' : key;
  const mode = own(select([['text', 'text'], ['json', 'JSON']], typeof v === 'string' || v === undefined ? 'text' : 'json'), c, `${name}-mode`);
  mode.setAttribute('aria-label', `${label}: text or JSON`);
  const ta = own(h('textarea', { rows: 1, class: 'w-msg', spellcheck: false }), c, name);
  ta.dataset.path = kp;
  ta.value = v === undefined ? '' : typeof v === 'string' ? v : (JSON.stringify(v).length <= 80 ? JSON.stringify(v) : pretty(v));
  ta.rows = Math.min(8, ta.value.split('\n').length);
  const apply = () => {
    const t = ta.value;
    let err = null;
    if (t.trim() === '' && optional) {
      if (key in holder) delete holder[key];
    } else if (mode.value === 'text') {
      holder[key] = t;
    } else {
      try { holder[key] = parseJSON(t); } catch (e) { err = `not valid JSON: ${e.message}`; }
    }
    ed.localError(ta, err, ta.closest('.field')?.querySelector('.findings'));
    if (!err) ed.changed();
  };
  ta.addEventListener('input', apply);
  mode.addEventListener('change', apply);
  box.append(field(label, ta, 'f-grow'), h('div', { class: 'field f-mode' }, h('span', { class: 'field-label', text: 'AS' }), mode));
}

function httpEditor(ed, c, v, kp, box) {
  const methods = ['GET', 'POST', 'PUT'];
  const cur = typeof v.method === 'string' ? v.method : 'GET';
  if (!methods.includes(cur)) methods.push(cur);
  const m = own(select(methods, cur), c, 'http-method');
  m.dataset.path = `${kp}.method`;
  m.addEventListener('change', () => { v.method = m.value; ed.changed(); });
  const path = own(h('input', { type: 'text', class: 'w-path', placeholder: '/path', spellcheck: false, autocomplete: 'off' }), c, 'http-path');
  path.dataset.path = `${kp}.path`;
  bindText(ed, path, v, 'path');
  const headers = own(h('input', { type: 'text', class: 'w-headers', placeholder: '{"X-Key": "1"}', spellcheck: false, autocomplete: 'off' }), c, 'http-headers');
  headers.dataset.path = `${kp}.headers`;
  bindJSON(ed, headers, v, 'headers', { expect: 'object' });
  box.append(field('METHOD', m, 'f-method'), field('PATH', path, 'f-path'));
  textOrJSON(ed, c, 'body', `${kp}.body`, box, 'BODY', v, true);
  box.append(field('HEADERS', headers, 'f-headers'));
}

function obsEditor(ed, c, v, kp, box) {
  const req = own(h('input', { type: 'text', class: 'w-req', placeholder: 'SetCurrentProgramScene', spellcheck: false, autocomplete: 'off' }), c, 'obs-request');
  req.dataset.path = `${kp}.request`;
  bindText(ed, req, v, 'request');
  const data = own(h('textarea', { rows: 1, class: 'w-json', placeholder: '{"sceneName": "Cam 2"}', spellcheck: false }), c, 'obs-data');
  data.dataset.path = `${kp}.data`;
  bindJSON(ed, data, v, 'data', { expect: 'object' });
  box.append(field('OBS REQUEST', req, 'f-req'), field('DATA (JSON)', data, 'f-grow'));
}
