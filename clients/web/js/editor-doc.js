// The rundown document as the editor holds it: JSON parsed so that it writes back as it was
// read (a real written `1.0`, or an integer past 2^53, stays exactly that), ids, JSON paths.

// JSON.parse keeps numbers that JavaScript would change on the way back (`1.0` would come back
// as `1`, an OSC argument would turn from float to int) as raw JSON text, which JSON.stringify
// writes out unchanged. Browsers without JSON.rawJSON parse as usual.
const RAW = typeof JSON.rawJSON === 'function';
function reviver(key, value, ctx) {
  if (!RAW || typeof value !== 'number' || !ctx || typeof ctx.source !== 'string') return value;
  if (Number.isInteger(value) && (/[.eE]/.test(ctx.source) || !Number.isSafeInteger(value))) return JSON.rawJSON(ctx.source);
  return value;
}

export function parseJSON(text) {
  return JSON.parse(text, reviver);
}

export function isRaw(v) {
  return RAW && v !== null && typeof v === 'object' && JSON.isRawJSON(v);
}

export function clone(v) {
  return v === undefined ? undefined : parseJSON(JSON.stringify(v));
}

// A value as a text field shows it: strings as they are, numbers as JSON writes them.
export function display(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (isRaw(v)) return v.rawJSON;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

// A JSON value for a textarea, two spaces a level (raw numbers kept).
export function pretty(v) {
  return v === undefined ? '' : JSON.stringify(v, null, 2);
}

// The id the parser would give an item from its title ("Cold open" -> "cold-open").
export function slug(title) {
  const s = String(title || '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 56).replace(/-+$/, '');
  return s || 'item';
}

// Every id the document spells out (items and cues share one space), but `except`'s own.
export function takenIds(doc, except = null) {
  const ids = new Set();
  for (const it of doc.items || []) {
    if (!it || typeof it !== 'object') continue;
    if (it !== except && typeof it.id === 'string') ids.add(it.id);
    for (const c of Array.isArray(it.cues) ? it.cues : []) if (c && typeof c.id === 'string') ids.add(c.id);
  }
  return ids;
}

export function uniqueId(doc, base, except = null) {
  const taken = takenIds(doc, except);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

// JSON paths as the daemon writes them: items[2].cues[0].at
export const itemPath = (i) => `items[${i}]`;
export const cuePath = (i, j) => `items[${i}].cues[${j}]`;

// The paths a path lies under, itself first: items[2].cues[0].at, items[2].cues[0], items[2].cues, items[2], items.
export function pathPrefixes(path) {
  const out = [];
  let p = path || '';
  while (p) {
    out.push(p);
    const m = p.match(/^(.*?)(\[\d+\]|\.[^.[\]]+)$/);
    if (!m) break;
    p = m[1];
  }
  return out;
}

// Which message key a target's kind takes.
export function payloadKey(kind) {
  if (kind === 'osc.udp' || kind === 'osc.tcp' || kind === 'osc') return 'osc';
  if (kind === 'https' || kind === 'http') return 'http';
  if (kind === 'ws' || kind === 'obs' || kind === 'tcp') return kind;
  return null;
}
export const PAYLOAD_KEYS = ['osc', 'ws', 'obs', 'http', 'tcp'];
