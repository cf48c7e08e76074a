// Third-party peers for the tests: OSC receivers (UDP, TCP with both framings)
// decoded by osc.js, websocket servers and clients from `ws`, and liblo's oscsend.
import dgram from 'node:dgram';
import net from 'node:net';
import { execFile } from 'node:child_process';
import osc from 'osc';
import { WebSocket, WebSocketServer } from 'ws';
import { waitFor } from './daemon.mjs';

const decode = (buf) => osc.readPacket(new Uint8Array(buf), { metadata: true });

// An OSC/UDP device: every datagram with its arrival time and decoded message.
export class UdpReceiver {
  async start() {
    this.messages = [];
    this.sock = dgram.createSocket('udp4');
    this.sock.on('message', (buf) => this.messages.push({ at: Date.now(), bytes: buf, msg: decode(buf) }));
    await new Promise((r) => this.sock.bind(0, '127.0.0.1', r));
    this.port = this.sock.address().port;
    return this;
  }
  get url() { return `osc.udp://127.0.0.1:${this.port}`; }
  addresses() { return this.messages.map((m) => m.msg.address); }
  async waitCount(n, ms = 3000) { return waitFor(() => this.messages.length >= n, ms, `${n} OSC messages`); }
  close() { this.sock.close(); }
}

// An OSC/TCP device speaking one framing: 'length' (OSC 1.0) or 'slip' (OSC 1.1).
export class TcpReceiver {
  constructor(framing = 'length') { this.framing = framing; }
  async start(port = 0) {
    this.messages = [];
    this.connections = 0;
    this.sockets = new Set();
    this.server = net.createServer((s) => {
      this.connections++;
      this.sockets.add(s);
      let buf = Buffer.alloc(0);
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        buf = this.framing === 'slip' ? this.#slip(buf) : this.#length(buf);
      });
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {});
    });
    await new Promise((r) => this.server.listen(port, '127.0.0.1', r));
    this.port = this.server.address().port;
    return this;
  }
  #length(buf) {
    while (buf.length >= 4) {
      const n = buf.readUInt32BE(0);
      if (buf.length < 4 + n) break;
      const pkt = buf.subarray(4, 4 + n);
      this.messages.push({ at: Date.now(), bytes: Buffer.from(pkt), msg: decode(pkt) });
      buf = buf.subarray(4 + n);
    }
    return buf;
  }
  #slip(buf) {
    for (;;) {
      const start = buf.indexOf(0xc0);
      if (start < 0) return Buffer.alloc(0);
      const end = buf.indexOf(0xc0, start + 1);
      if (end < 0) return buf.subarray(start);
      if (end === start + 1) { buf = buf.subarray(end); continue; }
      const raw = buf.subarray(start + 1, end);
      const out = [];
      for (let i = 0; i < raw.length; i++) {
        if (raw[i] === 0xdb) { out.push(raw[i + 1] === 0xdc ? 0xc0 : 0xdb); i++; } else out.push(raw[i]);
      }
      const pkt = Buffer.from(out);
      this.messages.push({ at: Date.now(), bytes: pkt, msg: decode(pkt) });
      buf = buf.subarray(end + 1);
    }
  }
  get url() { return `osc.tcp://127.0.0.1:${this.port}`; }
  async waitCount(n, ms = 3000) { return waitFor(() => this.messages.length >= n, ms, `${n} OSC/TCP messages`); }
  async close() {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

// A websocket device (a graphics engine, OBS...): collects text messages.
export class WsReceiver {
  async start(port = 0) {
    this.messages = [];
    this.connections = 0;
    this.server = new WebSocketServer({ host: '127.0.0.1', port });
    this.server.on('error', () => {});
    this.server.on('connection', (ws) => {
      this.connections++;
      ws.on('error', () => {});
      ws.on('message', (data) => this.messages.push({ at: Date.now(), text: data.toString() }));
    });
    await new Promise((r) => this.server.on('listening', r));
    this.port = this.server.address().port;
    return this;
  }
  get url() { return `ws://127.0.0.1:${this.port}/`; }
  async waitCount(n, ms = 3000) { return waitFor(() => this.messages.length >= n, ms, `${n} websocket messages`); }
  async close() {
    for (const c of this.server.clients) c.terminate();
    await new Promise((r) => this.server.close(r));
  }
}

// A screen or control client on the daemon's /ws.
export class Client {
  constructor(url) { this.url = url; this.nextId = 1; }
  async open() {
    this.states = [];
    this.replies = new Map();
    this.events = [];
    this.ws = new WebSocket(this.url);
    this.ws.on('error', () => {});
    this.ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.type === 'state') this.states.push(m);
      else if ('reply' in m) this.replies.set(m.reply, m);
      else this.events.push(m);
    });
    await new Promise((res, rej) => { this.ws.once('open', res); this.ws.once('error', rej); this.ws.once('unexpected-response', (_q, r) => rej(new Error(`HTTP ${r.statusCode}`))); });
    this.closed = new Promise((r) => this.ws.on('close', (code) => r(code)));
    return this;
  }
  async cmd(cmd, args = {}, ms = 3000) {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ cmd, id, ...args }));
    return waitFor(() => this.replies.get(id), ms, `the reply to ${cmd}`);
  }
  sendRaw(text) { this.ws.send(text); }
  get last() { return this.states[this.states.length - 1]; }
  close() { this.ws.close(); }
}

// liblo-tools' oscsend: `oscsend HOST PORT /addr TYPES ARGS...`.
export function oscsend(port, address, types = '', ...args) {
  return new Promise((res, rej) => {
    const argv = ['127.0.0.1', String(port), address];
    if (types) argv.push(types, ...args.map(String));
    execFile('oscsend', argv, (err) => (err ? rej(err) : res()));
  });
}

// An OSC client with its own port, so it can read /showcaller/reply.
export class OscClient {
  async start() {
    this.messages = [];
    this.port = new osc.UDPPort({ localAddress: '127.0.0.1', localPort: 0, metadata: true });
    this.port.on('message', (m) => this.messages.push(m));
    this.port.on('error', () => {});
    await new Promise((r) => { this.port.once('ready', r); this.port.open(); });
    return this;
  }
  send(daemonPort, address, args = []) {
    this.port.send({ address, args }, '127.0.0.1', daemonPort);
  }
  async reply(n = 1) {
    await waitFor(() => this.messages.filter((m) => m.address === '/showcaller/reply').length >= n, 3000, 'an OSC reply');
    return this.messages.filter((m) => m.address === '/showcaller/reply')[n - 1];
  }
  close() { this.port.close(); }
}
