// Helpers for the output tests (02-outputs): target states, as-run cue
// records, the bytes osc.js writes for a message, and osc.js's own OSC/TCP
// (SLIP) decoding as a receiver.
import net from 'node:net';
import assert from 'node:assert/strict';
import osc from 'osc';
import { waitFor } from './daemon.mjs';

// The bytes osc.js writes for a message; args are {type, value}.
export function oscBytes(address, args = []) {
  return Buffer.from(osc.writePacket({ address, args }, { metadata: true }));
}

// osc.js's decoding of bytes, with metadata (types and values).
export function oscDecode(bytes) {
  return osc.readPacket(new Uint8Array(bytes), { metadata: true });
}

// The type tag string of a decoded message.
export const typeTags = (msg) => msg.args.map((a) => a.type).join('');

// A 64-bit integer as osc.js writes it ('h' values are {high, low}).
export const long = (decimal) => osc.Long.fromString(String(decimal));

// Replaces quoted placeholders ("@@NAME@@") in a JSON text with raw JSON,
// for values JavaScript cannot write itself (2^53+1, 1.0 as a real).
export function rawJson(obj, raw) {
  let text = JSON.stringify(obj, null, 2);
  for (const [name, literal] of Object.entries(raw)) {
    const token = JSON.stringify(`@@${name}@@`);
    assert.ok(text.includes(token), `placeholder ${name} is in the rundown`);
    text = text.split(token).join(literal);
  }
  return text;
}

// One target's entry in GET /api/state.
export async function target(d, name) {
  const st = await d.state();
  const t = st.targets.find((x) => x.name === name);
  assert.ok(t, `target ${name} is in the state`);
  return t;
}

// Waits until a target's state is `want`; returns the ms it took.
export async function waitTargetState(d, name, want, ms = 3000) {
  const t0 = Date.now();
  await waitFor(async () => (await target(d, name)).state === want, ms, `target ${name} to be ${want}`);
  return Date.now() - t0;
}

// The as-run log's cue records.
export const cueRecords = (d) => d.asrun().filter((r) => r.kind === 'cue');

// Waits until the as-run log has a cue record for each id; returns them by id
// (the last one when there are several).
export async function waitCueRecords(d, ids, ms = 3000) {
  await waitFor(() => {
    const have = new Set(cueRecords(d).map((r) => r.cue));
    return ids.every((id) => have.has(id));
  }, ms, `as-run records for ${ids.join(', ')}`);
  const byId = {};
  for (const r of cueRecords(d)) byId[r.cue] = r;
  return byId;
}

// An ISO time with microseconds ("...T12:00:00.123456Z") to µs since the epoch.
export function isoToUs(s) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z$/.exec(s);
  assert.ok(m, `an ISO time with fractions: ${s}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] || '').padEnd(6, '0'));
}

// An OSC/TCP device built on osc.js's own TCPSocketPort (SLIP only): a plain
// net server whose connections are handed to osc.js for decoding.
export class OscJsTcpReceiver {
  async start(port = 0) {
    this.messages = [];
    this.connections = 0;
    this.sockets = new Set();
    this.errors = [];
    this.server = net.createServer((s) => {
      this.connections++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      const p = new osc.TCPSocketPort({ socket: s, metadata: true });
      p.on('message', (msg) => this.messages.push({ at: Date.now(), msg }));
      p.on('error', (e) => this.errors.push(e));
    });
    await new Promise((r) => this.server.listen(port, '127.0.0.1', r));
    this.port = this.server.address().port;
    return this;
  }
  get url() { return `osc.tcp://127.0.0.1:${this.port}`; }
  async waitCount(n, ms = 3000) { return waitFor(() => this.messages.length >= n, ms, `${n} osc.js TCP messages`); }
  async close() {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

// Stops the daemon and removes its files; the exit must be clean.
export async function stopClean(d) {
  const ex = await d.stop();
  d.cleanup();
  assert.equal(ex.signal, null, `the daemon was not killed by a signal\n${d.stderr}`);
  assert.equal(ex.code, 0, `the daemon exits 0\n${d.stderr}`);
  assert.match(d.stderr, /stopped cleanly/);
}

// An OSC/TCP device that keeps each connection's raw bytes and can stop
// reading (a hung or slow device: the kernel buffers fill, the sender's
// writes come up short). Frames are split afterwards, per connection.
export class RawTcpReceiver {
  async start(port = 0) {
    this.conns = []; // {socket, chunks, closed}
    this.paused = false;
    this.server = net.createServer((s) => {
      const c = { socket: s, chunks: [], closed: false };
      this.conns.push(c);
      if (this.paused) s.pause();
      s.on('data', (b) => c.chunks.push(b));
      s.on('close', () => { c.closed = true; });
      s.on('error', () => {});
    });
    await new Promise((r) => this.server.listen(port, '127.0.0.1', r));
    this.port = this.server.address().port;
    return this;
  }
  get url() { return `osc.tcp://127.0.0.1:${this.port}`; }
  pause() { this.paused = true; for (const c of this.conns) c.socket.pause(); }
  resume() { this.paused = false; for (const c of this.conns) c.socket.resume(); }
  bytes(i) { return Buffer.concat(this.conns[i].chunks); }
  get total() { return this.conns.reduce((n, c) => n + c.chunks.reduce((m, b) => m + b.length, 0), 0); }
  // Length-prefixed frames of connection i, and what is left after the last whole one.
  lengthFrames(i) {
    let buf = this.bytes(i);
    const frames = [];
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      const n = buf.readUInt32BE(0);
      frames.push(buf.subarray(4, 4 + n));
      buf = buf.subarray(4 + n);
    }
    return { frames, rest: buf };
  }
  async close() {
    for (const c of this.conns) c.socket.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
