// The editing API over HTTP, with the control token. Every call resolves (never rejects) with
// {status, body}: status 0 when the daemon could not be reached, body the parsed JSON (numbers
// kept exactly: editor-doc.js) or null.
import { authHeaders } from './token.js';
import { parseJSON } from './editor-doc.js';

export class Api {
  constructor(token, { onReach } = {}) {
    this.token = token;
    this.onReach = onReach || (() => {}); // (reachable: bool) after every call
  }

  async call(method, path, { json, text, timeoutMs = 10000 } = {}) {
    const headers = { ...authHeaders(this.token) };
    let body;
    if (json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (text !== undefined) {
      headers['content-type'] = 'text/plain; charset=utf-8';
      body = text;
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    try {
      const res = await fetch(path, { method, headers, body, cache: 'no-store', signal: ctl.signal });
      const raw = await res.text();
      let parsed = null;
      try { parsed = raw ? parseJSON(raw) : null; } catch { parsed = null; }
      this.onReach(true);
      return { status: res.status, body: parsed };
    } catch (e) {
      this.onReach(false);
      return { status: 0, body: null, error: e?.name === 'AbortError' ? 'no answer in time' : 'the daemon could not be reached' };
    } finally {
      clearTimeout(timer);
    }
  }

  source() { return this.call('GET', '/api/rundown/source'); }
  check(rundown) { return this.call('POST', '/api/rundown/check', { json: { rundown } }); }
  save(body) { return this.call('PUT', '/api/rundown', { json: body }); }
  versions() { return this.call('GET', '/api/versions'); }
  version(n) { return this.call('GET', `/api/versions/${n}`); }
  diff(from, to) { return this.call('GET', `/api/versions/${from}/diff${to ? `?to=${to}` : ''}`); }
  importFile(format, text) { return this.call('POST', `/api/import?format=${encodeURIComponent(format)}`, { text }); }
}

// The words of an error answer: the daemon's own message, else what went wrong on the way.
export function errorText(r) {
  if (r.status === 0) return r.error || 'the daemon could not be reached';
  const e = r.body?.error;
  if (e) return e.message ? `${e.message}` : e.code;
  return `HTTP ${r.status}`;
}
