// The editor's versions panel: every saved version, newest first (who, when, from where,
// what changed, which is on air), a readable diff between two, and "restore this version"
// (which is a new save of that version's document).
import { display } from './editor-doc.js';
import { h } from './editor-fields.js';
import { errorText } from './editor-api.js';
import { timeOfDay } from './format.js';

const $ = (id) => document.getElementById(id);

function when(meta) {
  const ms = meta.time_ms ?? (meta.time ? Date.parse(meta.time) : null);
  if (ms == null || Number.isNaN(ms)) return meta.time || '';
  const d = new Date(ms);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay ? timeOfDay(ms) : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${timeOfDay(ms)}`;
}

export function who(meta) {
  const a = meta.author || {};
  const parts = [];
  if (a.name) parts.push(a.name);
  const where = [a.door, a.address].filter(Boolean).join(' ');
  if (where) parts.push(a.name ? `(${where})` : where);
  return parts.join(' ') || 'unknown';
}

// A JSON value as a diff shows it: strings as they are, the rest as JSON, nothing as a dash.
function val(v) {
  if (v === null || v === undefined) return '\u2014';
  if (typeof v === 'string') return v;
  return display(v);
}

export class Versions {
  constructor(ed, api) {
    this.ed = ed;
    this.api = api;
    this.list = [];
    this.onAir = null; // meta of the version on air
    $('versions-toggle').addEventListener('click', () => (this.isOpen() ? this.close() : this.open()));
    $('versions-close').addEventListener('click', () => this.close());
    $('diff-close').addEventListener('click', () => { $('diff').hidden = true; });
  }

  isOpen() { return !$('versions').hidden; }

  open() {
    $('versions').hidden = false;
    $('versions-toggle').setAttribute('aria-expanded', 'true');
    document.body.classList.add('versions-open');
    this.refresh();
  }

  close() {
    $('versions').hidden = true;
    $('diff').hidden = true;
    $('versions-toggle').setAttribute('aria-expanded', 'false');
    document.body.classList.remove('versions-open');
  }

  // Resolves with the list (or null when the daemon did not give it).
  async refresh() {
    const r = await this.api.versions();
    if (r.status !== 200 || !Array.isArray(r.body?.versions)) {
      $('versions-status').textContent = `Versions unavailable: ${errorText(r)}`;
      return null;
    }
    this.list = r.body.versions;
    this.onAir = this.list.find((v) => v.on_air) || this.list[0] || null;
    $('versions-status').textContent = this.list.length ? `${this.list.length} version${this.list.length === 1 ? '' : 's'}, newest first` : 'No versions yet.';
    this.render();
    return this.list;
  }

  render() {
    const ol = $('versions-list');
    ol.textContent = '';
    for (const v of this.list) {
      const n = v.version;
      const li = h('li', { class: 'version', dataset: { version: String(n), onAir: String(!!v.on_air), source: v.source || '' } });
      if (n === this.ed.rev) li.classList.add('editing');
      li.append(
        h('div', { class: 'v-line' },
          h('span', { class: 'v-n num', text: `v${n}` }),
          v.on_air ? h('span', { class: 'pill on-air', text: 'ON AIR' }) : null,
          n === this.ed.rev && !v.on_air ? h('span', { class: 'pill', text: 'EDITING' }) : null,
          h('span', { class: 'v-time num', text: when(v) }),
          h('span', { class: 'v-source', text: v.source || '' })),
        h('div', { class: 'v-who', text: who(v) }),
        h('div', { class: 'v-summary', text: v.summary || '' }),
        v.restore_of != null ? h('div', { class: 'v-restore-of', text: `restore of v${v.restore_of}` }) : null,
      );
      const acts = h('div', { class: 'v-actions' });
      const btn = (cls, text, title, fn, disabled = false) => {
        const b = h('button', { type: 'button', class: `small ${cls}`, text, title, disabled });
        b.addEventListener('click', fn);
        acts.append(b);
      };
      const cur = this.onAir?.version;
      btn('v-changes', 'Changes', `What changed from v${n - 1} to v${n}`, () => this.showDiff(n - 1, n), !this.list.some((x) => x.version === n - 1));
      btn('v-diff', 'Diff to on air', `From v${n} to the version on air (v${cur})`, () => this.showDiff(n, cur), cur == null || cur === n);
      btn('v-restore', 'Restore this version', `Save v${n}'s rundown as a new version and put it on air`, () => this.restore(n), !!v.on_air);
      li.append(acts);
      ol.append(li);
    }
  }

  async showDiff(from, to) {
    if (!this.isOpen()) this.open();
    const box = $('diff');
    const body = $('diff-body');
    box.hidden = false;
    box.dataset.from = String(from);
    box.dataset.to = String(to ?? '');
    $('diff-title').textContent = `v${from} \u2192 v${to ?? 'latest'}`;
    body.textContent = 'loading\u2026';
    const r = await this.api.diff(from, to);
    if (r.status !== 200 || !r.body) {
      body.textContent = `No diff: ${errorText(r)}`;
      return;
    }
    renderDiff(body, r.body);
    $('diff-title').textContent = `v${r.body.from} \u2192 v${r.body.to}`;
    box.scrollIntoView({ block: 'nearest' });
  }

  async restore(n) {
    const ed = this.ed;
    const msg = ed.dirty
      ? `Restore version ${n}? It is saved as a new version and goes on air. Your unsaved changes in this page are lost.`
      : `Restore version ${n}? It is saved as a new version and goes on air.`;
    if (!confirm(msg)) return;
    const r = await this.api.version(n);
    if (r.status !== 200 || !r.body?.rundown) {
      ed.showSaveError(`could not read version ${n}: ${errorText(r)}`);
      return;
    }
    await ed.save({ restoreOf: n, rundown: r.body.rundown });
  }
}

export function renderDiff(body, d) {
  body.textContent = '';
  body.append(h('p', { class: 'diff-summary', text: d.summary || (d.show?.length || d.items?.length ? '' : 'No differences.') }));
  const show = Array.isArray(d.show) ? d.show : [];
  const items = Array.isArray(d.items) ? d.items : [];
  if (!show.length && !items.length) {
    body.append(h('p', { class: 'dim', text: 'The two versions are the same.' }));
    return;
  }
  if (show.length) {
    const t = h('table', { class: 'diff-table' }, h('thead', {}, h('tr', {}, h('th', { text: 'SHOW' }), h('th', { text: 'FROM' }), h('th', { text: 'TO' }))));
    const tb = h('tbody');
    for (const f of show) tb.append(h('tr', { class: 'diff-field', dataset: { field: f.field } }, h('td', { text: f.field }), h('td', { class: 'from', text: val(f.from) }), h('td', { class: 'to', text: val(f.to) })));
    t.append(tb);
    body.append(t);
  }
  for (const it of items) {
    const where = it.change === 'added' ? `new at #${(it.to_index ?? 0) + 1}`
      : it.change === 'removed' ? `was #${(it.from_index ?? 0) + 1}`
        : it.from_index != null && it.to_index != null && it.from_index !== it.to_index ? `#${it.from_index + 1} \u2192 #${it.to_index + 1}` : `#${(it.to_index ?? it.from_index ?? 0) + 1}`;
    const div = h('div', { class: 'diff-item', dataset: { id: it.id || '', change: it.change || '' } },
      h('div', { class: 'diff-item-head' },
        h('span', { class: `chg chg-${it.change}`, text: (it.change || '').toUpperCase() }),
        h('strong', { text: it.title || it.id || '' }),
        h('span', { class: 'dim num', text: ` ${where}` }),
        it.id ? h('span', { class: 'dim', text: ` \u00b7 ${it.id}` }) : null));
    const fields = Array.isArray(it.fields) ? it.fields : [];
    if (fields.length) {
      const t = h('table', { class: 'diff-table' });
      for (const f of fields) t.append(h('tr', { class: 'diff-field', dataset: { field: f.field } }, h('td', { text: f.field }), h('td', { class: 'from', text: val(f.from) }), h('td', { class: 'to', text: val(f.to) })));
      div.append(t);
    }
    body.append(div);
  }
}
