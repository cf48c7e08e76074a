#!/usr/bin/env node
// A cue monitor: stands in for every device a config's targets point at on this machine and prints
// each cue as it arrives, so the demo's cues can be watched without a switcher or a sound desk.
//
//   node clients/cli/cue-monitor.mjs [CONFIG]       (default config/demo.json; `make monitor`)
//
// It listens where the targets send: OSC over UDP, OSC over TCP (length-prefixed or SLIP, as the
// target's "framing" says) and websocket (a minimal server: handshake, text frames, ping, close).
// Only Node's own modules: it runs wherever the daemon's tests run. One line per cue:
//   14:58:00.012  switcher   osc.udp  /atem/cut
//   14:58:05.003  gfx        ws       {"action":"play","template":"bug"}
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const LOCAL = new Set(['127.0.0.1', 'localhost', '0.0.0.0', '::1', '[::1]']);

function now() {
  const d = new Date();
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function print(name, kind, text) {
  process.stdout.write(`${now()}  ${name.padEnd(10)} ${kind.padEnd(8)} ${text}\n`);
}

// ---- OSC ---------------------------------------------------------------------------------------

// A string padded to 4 bytes, and where the next field starts.
function oscString(buf, at) {
  let end = buf.indexOf(0, at);
  if (end < 0) end = buf.length;
  return [buf.toString('utf8', at, end), (end + 4) & ~3];
}

// One OSC message or bundle as text: "/address arg arg"; bundles as their messages.
export function oscText(buf) {
  if (buf.length >= 8 && buf.toString('latin1', 0, 8) === '#bundle\0') {
    const parts = [];
    for (let at = 16; at + 4 <= buf.length;) {
      const n = buf.readInt32BE(at);
      if (n <= 0 || at + 4 + n > buf.length) break;
      parts.push(oscText(buf.subarray(at + 4, at + 4 + n)));
      at += 4 + n;
    }
    return parts.join(' | ');
  }
  const [address, a1] = oscString(buf, 0);
  if (a1 >= buf.length || buf[a1] !== 0x2c) return address; // no type tags
  const [tags, a2] = oscString(buf, a1);
  const args = [];
  let at = a2;
  for (const t of tags.slice(1)) {
    if (at > buf.length) break;
    if (t === 'i') { args.push(buf.readInt32BE(at)); at += 4; }
    else if (t === 'f') { args.push(Number(buf.readFloatBE(at).toPrecision(7))); at += 4; }
    else if (t === 'h') { args.push(buf.readBigInt64BE(at).toString()); at += 8; }
    else if (t === 'd') { args.push(buf.readDoubleBE(at)); at += 8; }
    else if (t === 's' || t === 'S') { const [s, n] = oscString(buf, at); args.push(JSON.stringify(s)); at = n; }
    else if (t === 'T' || t === 'F' || t === 'N' || t === 'I') args.push({ T: 'true', F: 'false', N: 'nil', I: 'inf' }[t]);
    else if (t === 'b') { const n = buf.readInt32BE(at); args.push(`<${n} bytes>`); at += 4 + ((n + 3) & ~3); }
    else { args.push(`<${t}>`); at += 4; }
  }
  return [address, ...args].join(' ');
}

function listenUdp(name, port, host) {
  const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  s.on('message', (m) => print(name, 'osc.udp', oscText(m)));
  s.on('error', (e) => print(name, 'osc.udp', `cannot listen on ${port}: ${e.message}`));
  s.bind(port, host);
  return s;
}

// OSC over TCP: a big-endian int32 length before each packet, or SLIP (RFC 1055) END-framed.
function listenTcp(name, port, host, framing) {
  const s = net.createServer((c) => {
    let pending = Buffer.alloc(0);
    c.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      if (framing === 'slip') {
        for (let end; (end = pending.indexOf(0xc0, 1)) >= 0;) {
          const frame = pending.subarray(pending[0] === 0xc0 ? 1 : 0, end);
          pending = pending.subarray(end + 1);
          if (frame.length === 0) continue;
          const out = [];
          for (let i = 0; i < frame.length; i++) {
            if (frame[i] === 0xdb) { i++; out.push(frame[i] === 0xdc ? 0xc0 : 0xdb); } else out.push(frame[i]);
          }
          print(name, 'osc.tcp', oscText(Buffer.from(out)));
        }
      } else {
        while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
          const n = pending.readInt32BE(0);
          print(name, 'osc.tcp', oscText(pending.subarray(4, 4 + n)));
          pending = pending.subarray(4 + n);
        }
      }
    });
    c.on('error', () => {});
  });
  s.on('error', (e) => print(name, 'osc.tcp', `cannot listen on ${port}: ${e.message}`));
  s.listen(port, host);
  return s;
}

// ---- Websocket (RFC 6455, server side, just what a cue target needs) ---------------------------

function wsFrame(opcode, payload) {
  const head = payload.length < 126 ? Buffer.from([0x80 | opcode, payload.length])
    : Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, payload]);
}

function listenWs(name, port, host) {
  const s = net.createServer((c) => {
    let pending = Buffer.alloc(0);
    let open = false;
    c.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      if (!open) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const key = /sec-websocket-key:\s*(\S+)/i.exec(pending.toString('latin1', 0, end));
        if (!key) { c.destroy(); return; }
        const accept = createHash('sha1').update(`${key[1]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        c.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        pending = pending.subarray(end + 4);
        open = true;
      }
      for (;;) {
        if (pending.length < 2) return;
        const opcode = pending[0] & 0x0f;
        const masked = (pending[1] & 0x80) !== 0;
        let len = pending[1] & 0x7f;
        let at = 2;
        if (len === 126) { if (pending.length < 4) return; len = pending.readUInt16BE(2); at = 4; }
        else if (len === 127) { if (pending.length < 10) return; len = Number(pending.readBigUInt64BE(2)); at = 10; }
        const mask = masked ? pending.subarray(at, at + 4) : null;
        if (masked) at += 4;
        if (pending.length < at + len) return;
        const payload = Buffer.from(pending.subarray(at, at + len));
        if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
        pending = pending.subarray(at + len);
        if (opcode === 0x1) print(name, 'ws', payload.toString('utf8'));
        else if (opcode === 0x2) print(name, 'ws', `<${payload.length} binary bytes>`);
        else if (opcode === 0x9) c.write(wsFrame(0xa, payload));
        else if (opcode === 0x8) { c.end(wsFrame(0x8, payload.subarray(0, 2))); return; }
      }
    });
    c.on('error', () => {});
  });
  s.on('error', (e) => print(name, 'ws', `cannot listen on ${port}: ${e.message}`));
  s.listen(port, host);
  return s;
}

// ---- The targets of a config -------------------------------------------------------------------

// {name, kind, host, port, framing} for every target of the config that points at this machine.
export function localTargets(config) {
  const out = [];
  for (const [name, t] of Object.entries(config.targets || {})) {
    const m = /^(osc\.udp|osc\.tcp|ws):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?/.exec(t.url || '');
    if (!m) continue;
    const host = m[2].replace(/^\[|\]$/g, '');
    if (!LOCAL.has(m[2]) && !LOCAL.has(host)) continue;
    out.push({ name, kind: m[1], host: host === '0.0.0.0' ? '127.0.0.1' : host, port: Number(m[3] || (m[1] === 'ws' ? 80 : 0)), framing: t.framing || 'length' });
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const path = process.argv[2] || 'config/demo.json';
  const targets = localTargets(JSON.parse(readFileSync(path, 'utf8')));
  if (targets.length === 0) {
    console.error(`cue-monitor: ${path} has no target on this machine`);
    process.exit(1);
  }
  for (const t of targets) {
    if (t.kind === 'osc.udp') listenUdp(t.name, t.port, t.host);
    else if (t.kind === 'osc.tcp') listenTcp(t.name, t.port, t.host, t.framing);
    else listenWs(t.name, t.port, t.host);
    console.error(`cue-monitor: ${t.name} (${t.kind}) on ${t.host}:${t.port}`);
  }
  console.error('cue-monitor: waiting for cues (Ctrl-C stops)');
}
