// The websocket to the daemon: auth, commands with ids and replies, state, reconnection
// and stale detection.
import { ClockSync, localNow } from './clock.js';

const RETRY_MS = 500; // a daemon that comes back is found within this
const CONNECT_TIMEOUT_MS = 1500; // with RETRY_MS: a daemon that is back is found within 2 s
const STALE_MS = 2000; // heartbeats come every second
const DEAD_MS = 4000; // silent this long: drop the socket and dial again
const REPLY_TIMEOUT_MS = 3000;

// status: 'connecting' | 'live' | 'stale' | 'disconnected' | 'locked' (needs a view token)
export class Connection {
  constructor({ token = '', onState, onHello, onEvent, onStatus, onOpen } = {}) {
    this.token = token;
    this.onState = onState || (() => {});
    this.onHello = onHello || (() => {});
    this.onEvent = onEvent || (() => {});
    this.onStatus = onStatus || (() => {});
    this.onOpen = onOpen || (() => {});
    this.clock = new ClockSync((m) => this.sendRaw(m));
    this.pending = new Map();
    this.nextId = 1;
    this.status = 'connecting';
    this.hello = null;
    this.state = null;
    this.lastStateAt = null;
    this.ws = null;
    this.reconnects = 0;
    this.authPending = false; // a token was sent and its answer has not come yet
    this.authRefused = false;
  }

  get url() {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  }

  start() {
    this.connect();
    this.watch = setInterval(() => this.check(), 100);
    return this;
  }

  // A new token is presented at once; forgetting one means dialling again without it, as
  // the daemon does not take a granted role back on an open socket.
  setToken(token) {
    this.token = token;
    if (!token) this.drop(0);
    else if (this.ws && this.ws.readyState === WebSocket.OPEN) this.auth();
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.setStatus(this.status === 'disconnected' ? 'disconnected' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.retryTimer = setTimeout(() => this.connect(), RETRY_MS);
      return;
    }
    this.ws = ws;
    this.dialedAt = localNow();
    this.openedAt = null;
    this.lastStateAt = null;
    this.hello = null;
    this.authPending = false;
    this.authRefused = false;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.openedAt = localNow();
      if (this.token) this.auth();
      this.clock.start();
      this.onOpen();
    };
    ws.onmessage = (e) => {
      if (ws !== this.ws) return;
      let m;
      try { m = JSON.parse(e.data); } catch { return; }
      this.receive(m);
    };
    ws.onclose = () => { if (ws === this.ws) this.drop(); };
    ws.onerror = () => {}; // a close follows
  }

  receive(m) {
    if (m.type === 'state') {
      this.state = m;
      this.lastStateAt = localNow();
      this.clock.coarse(m.server_time);
      if (this.status !== 'live') this.setStatus('live');
      this.onState(m);
    } else if (m.type === 'pong') {
      this.clock.onPong(m);
    } else if (m.type === 'hello') {
      this.hello = m;
      if (this.locked()) this.setStatus('locked');
      else if (this.status === 'locked') this.setStatus('connecting');
      this.onHello(m);
    } else if ('reply' in m) {
      const p = this.pending.get(m.reply);
      if (p) {
        this.pending.delete(m.reply);
        clearTimeout(p.timer);
        p.resolve(m);
      } else if (!m.ok) {
        // An error with no command of ours behind it (e.g. bad_json): still show it.
        this.onEvent({ type: 'error', error: m.error });
      }
    } else {
      this.onEvent(m);
    }
  }

  // Viewing needs a token we do not have (or that was refused).
  locked() {
    return !!this.hello && this.hello.role === 'none' && this.hello.view_token_required && !this.authPending;
  }

  auth() {
    this.authPending = true;
    const id = this.nextId++;
    const p = new Promise((resolve) => {
      const timer = setTimeout(() => { this.pending.delete(id); resolve({ ok: false, error: { code: 'timeout', message: 'no answer to auth' } }); }, REPLY_TIMEOUT_MS);
      this.pending.set(id, { resolve, timer });
    });
    this.sendRaw({ cmd: 'auth', token: this.token, id });
    // The daemon follows its answer with a new hello, which settles role and lock.
    p.then((r) => {
      this.authPending = false;
      this.authRefused = !r.ok;
      this.onEvent({ type: 'auth', ok: r.ok, error: r.error });
    });
  }

  // The socket is gone (closed, timed out or silent): fail what waits, dial again soon.
  drop(retryMs = RETRY_MS) {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      try { ws.close(); } catch { /* already closed */ }
    }
    this.clock.stop();
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, error: { code: 'disconnected', message: 'the connection to the daemon was lost before it answered' } });
    }
    this.pending.clear();
    this.setStatus('disconnected');
    this.reconnects++;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), retryMs);
  }

  check() {
    const ws = this.ws;
    if (!ws) return;
    const now = localNow();
    if (ws.readyState === WebSocket.CONNECTING) {
      if (now - this.dialedAt > CONNECT_TIMEOUT_MS) this.drop();
      return;
    }
    if (ws.readyState !== WebSocket.OPEN || this.status === 'locked') return;
    const silent = now - (this.lastStateAt ?? this.openedAt ?? now);
    if (silent > DEAD_MS) this.drop();
    else if (silent > STALE_MS && this.status !== 'stale') this.setStatus('stale');
  }

  setStatus(s) {
    if (s === this.status) return;
    this.status = s;
    this.onStatus(s);
  }

  sendRaw(obj) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }

  // A command with an id; resolves with the daemon's reply {ok, error?}, never rejects.
  command(cmd, args = {}) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
      return Promise.resolve({ ok: false, error: { code: 'disconnected', message: 'not connected to the daemon' } });
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, error: { code: 'timeout', message: `no reply to ${cmd} within ${REPLY_TIMEOUT_MS / 1000} s` } });
      }, REPLY_TIMEOUT_MS);
      this.pending.set(id, { resolve, timer });
      this.sendRaw({ ...args, cmd, id });
    });
  }
}
