// A CasparCG server stand-in speaking AMCP over TCP, for black-box tests of
// the daemon's tcp:// targets with "answer": "line".
//
// Written from CasparCG's AMCP protocol documentation (the AMCP 2.x wiki's
// "Return Codes") and the server's own reply strings (CasparCG/server,
// src/protocol/amcp/AMCPProtocolStrategy.cpp and AMCPCommandQueue.cpp):
//
//   Commands are UTF-8 lines ending in CR LF, case-insensitive.
//   100 [action]            information, no data
//   101 [action]            information, one line of data follows
//   200 [command] OK        success, several lines of data follow, ended by an empty line
//   201 [command] OK        success, exactly one line of data follows
//   202 [command] OK        success, no data
//   400 ERROR               the command was not understood; the server echoes the
//                           offending command on the next line (2.x does, the wiki omits it)
//   401 [command] ERROR     illegal video channel
//   402 [command] ERROR     a parameter is missing
//   403 [command] ERROR     an illegal parameter
//   404 [command] ...       the media file was not found ("404 PLAY FILE NOT FOUND" in the
//                           2.0 wiki, "404 PLAY FAILED" from 2.1 on)
//   500 FAILED              an internal server error
//   501 [command] FAILED    an internal server error while executing the command
//   REQ <id> <command>      the reply is prefixed "RES <id> "
//   PING [args]             answered "PONG [args]" with no return code at all
//
// Usage:
//   const caspar = await startAmcpServer({ port: 0, delay: 0, silent: /^STOP/ });
//   caspar.url                 -> "tcp://127.0.0.1:PORT"
//   caspar.commands            -> [{ line, raw, crlf, at, conn }] in arrival order
//   caspar.replies             -> [{ line, reply, at, conn }] what was answered (after any delay)
//   caspar.send('101 ...')     -> an unsolicited line (CR LF appended) to every connection
//   await caspar.waitCommands(n)
//   await caspar.close()
import net from 'node:net';

const CRLF = '\r\n';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The 2.x reply to each command; null for no reply at all.
export function amcpReply(line, opts) {
  const { channels, media, templates, notFound, version } = opts;
  let tokens = tokenize(line);
  let prefix = '';
  if (tokens[0] && tokens[0].toUpperCase() === 'REQ') {
    if (tokens.length < 2) return `402 REQ ERROR${CRLF}`;
    prefix = `RES ${tokens[1]} `;
    tokens = tokens.slice(2);
  }
  const say = (s) => prefix + s;
  if (tokens.length === 0) return say(`400 ERROR${CRLF}${line}${CRLF}`);
  const cmd = tokens[0].toUpperCase();
  if (cmd === 'PING') return `PONG${tokens.slice(1).map((t) => ` ${t}`).join('')}${CRLF}`;

  // A channel spec "C" or "C-L" right after the command name.
  const spec = /^(\d+)(?:-(\d+))?$/.exec(tokens[1] || '');
  const channel = spec ? Number(spec[1]) : null;
  const args = spec ? tokens.slice(2) : tokens.slice(1);
  const badChannel = channel !== null && (channel < 1 || channel > channels);
  const hasMedia = (name) => media.some((m) => m.toUpperCase() === String(name).toUpperCase());

  switch (cmd) {
    case 'PLAY':
    case 'LOAD':
    case 'LOADBG': {
      if (channel === null) return say(`400 ERROR${CRLF}${line}${CRLF}`);
      if (badChannel) return say(`401 ${cmd} ERROR${CRLF}`);
      // PLAY alone plays what LOADBG loaded; LOAD and LOADBG need a clip.
      if (args.length === 0) return cmd === 'PLAY' ? say(`202 PLAY OK${CRLF}`) : say(`402 ${cmd} ERROR${CRLF}`);
      if (!hasMedia(args[0])) return say(`404 ${cmd} ${notFound}${CRLF}`);
      return say(`202 ${cmd} OK${CRLF}`);
    }
    case 'STOP':
    case 'PAUSE':
    case 'RESUME':
    case 'CLEAR':
    case 'SWAP':
    case 'CALL':
      if (channel === null) return say(`400 ERROR${CRLF}${line}${CRLF}`);
      if (badChannel) return say(`401 ${cmd} ERROR${CRLF}`);
      return say(`202 ${cmd} OK${CRLF}`);
    case 'MIXER':
    case 'CG': {
      if (channel === null) return say(`400 ERROR${CRLF}${line}${CRLF}`);
      if (badChannel) return say(`401 ${cmd} ERROR${CRLF}`);
      const sub = (args[0] || '').toUpperCase();
      if (!sub) return say(`402 ${cmd} ERROR${CRLF}`);
      if (cmd === 'CG' && sub === 'ADD') {
        if (args.length < 4) return say(`402 CG ADD ERROR${CRLF}`);
        if (!templates.some((t) => t.toUpperCase() === args[2].toUpperCase())) return say(`404 CG ADD FAILED${CRLF}`);
      }
      return say(`202 ${cmd} OK${CRLF}`);
    }
    case 'VERSION':
      return say(`201 VERSION OK${CRLF}${version}${CRLF}`);
    case 'INFO':
      if (channel !== null) {
        if (badChannel) return say(`401 INFO ERROR${CRLF}`);
        return say(`201 INFO OK${CRLF}<?xml version="1.0" encoding="utf-8"?><channel><framerate>50</framerate></channel>${CRLF}`);
      }
      if (args.length && ['PATHS', 'CONFIG', 'SYSTEM', 'SERVER'].includes(args[0].toUpperCase()))
        return say(`201 INFO ${args[0].toUpperCase()} OK${CRLF}<${args[0].toLowerCase()}/>${CRLF}`);
      return say(`200 INFO OK${CRLF}${Array.from({ length: channels }, (_, i) => `${i + 1} 1080i5000 PLAYING${CRLF}`).join('')}${CRLF}`);
    case 'CLS':
      return say(`200 CLS OK${CRLF}${media.map((m) => `"${m}"  MOVIE  1048576 20240101120000 250 1/25${CRLF}`).join('')}${CRLF}`);
    case 'TLS':
      return say(`200 TLS OK${CRLF}${templates.map((t) => `"${t}"  20240101120000 1024 HTML${CRLF}`).join('')}${CRLF}`);
    default:
      return say(`400 ERROR${CRLF}${line}${CRLF}`);
  }
}

// AMCP's tokenizer: spaces split, quotes group, backslash escapes \\ \" \n.
function tokenize(line) {
  const out = [];
  let cur = '';
  let quoted = false;
  let inToken = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\' && i + 1 < line.length) {
      const n = line[++i];
      cur += n === 'n' ? '\n' : n;
      inToken = true;
    } else if (ch === '"') {
      if (quoted) { out.push(cur); cur = ''; inToken = false; }
      quoted = !quoted;
    } else if (ch === ' ' && !quoted) {
      if (inToken) { out.push(cur); cur = ''; inToken = false; }
    } else {
      cur += ch;
      inToken = true;
    }
  }
  if (inToken) out.push(cur);
  return out;
}

const asMatcher = (m) => {
  if (!m) return () => false;
  if (m instanceof RegExp) return (line) => m.test(line);
  if (typeof m === 'function') return m;
  return (line) => line === m;
};

// Starts the stand-in on 127.0.0.1. Options:
//   port       0 for any free port
//   delay      ms before each reply, or (line) => ms
//   silent     RegExp | string | (line) => bool: commands that get no reply at all
//   override   (line) => string | null | undefined: a reply (with its CR LFs) of the
//              test's own (e.g. "500 FAILED\r\n"); undefined falls through to AMCP
//   split      write a multi-line reply one line at a time, this many ms apart
//   unsolicited a line (no CR LF) sent to each connection as soon as it opens
//   channels, media, templates, notFound ("FAILED" or "FILE NOT FOUND"), version
export async function startAmcpServer(options = {}) {
  const opts = {
    port: 0,
    delay: 0,
    silent: null,
    override: null,
    split: 0,
    unsolicited: null,
    channels: 2,
    media: ['AMB', 'GO1080P25', 'CG1080I50', 'SPLIT'],
    templates: ['LOWER-THIRD', 'CLOCK'],
    notFound: 'FAILED',
    version: '2.5.0 stand-in Stable',
    ...options,
  };
  const dev = {
    commands: [],
    replies: [],
    connections: 0,
    sockets: new Set(),
    received: [], // raw chunks, per connection index
    opts,
  };
  let silent = asMatcher(opts.silent);
  dev.setSilent = (m) => { silent = asMatcher(m); };
  dev.setDelay = (d) => { opts.delay = d; };

  // Replies leave one after another on each connection, in command order, as a
  // real server's do: a reply waits its delay (from its command's arrival) and
  // for the previous reply to be written out; with `split`, line by line.
  const writeLines = async (s, text) => {
    if (!opts.split) { if (!s.destroyed) s.write(text); return; }
    const lines = text.split(CRLF).slice(0, -1);
    for (let i = 0; i < lines.length; i++) {
      if (i) await sleep(opts.split);
      if (!s.destroyed) s.write(lines[i] + CRLF);
    }
  };

  dev.server = net.createServer((s) => {
    const conn = dev.connections++;
    dev.sockets.add(s);
    dev.received[conn] = [];
    s.setNoDelay(true);
    s.on('close', () => dev.sockets.delete(s));
    s.on('error', () => {});
    if (opts.unsolicited) s.write(opts.unsolicited + CRLF);
    let buf = '';
    let queue = Promise.resolve();
    s.setEncoding('utf8');
    s.on('data', (chunk) => {
      const at = Date.now();
      dev.received[conn].push(chunk);
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const raw = buf.slice(0, nl + 1);
        buf = buf.slice(nl + 1);
        const crlf = raw.endsWith(CRLF);
        const line = raw.slice(0, crlf ? -2 : -1);
        dev.commands.push({ line, raw, crlf, at, conn });
        if (silent(line)) continue;
        let reply = opts.override ? opts.override(line) : undefined;
        if (reply === undefined) reply = amcpReply(line, opts);
        if (reply === null) continue;
        const ms = typeof opts.delay === 'function' ? opts.delay(line) : opts.delay;
        const due = at + ms;
        queue = queue.then(async () => {
          const wait = due - Date.now();
          if (wait > 0) await sleep(wait);
          dev.replies.push({ line, reply, at: Date.now(), conn });
          await writeLines(s, reply);
        });
      }
    });
  });
  await new Promise((r, j) => { dev.server.once('error', j); dev.server.listen(opts.port, '127.0.0.1', r); });
  dev.port = dev.server.address().port;
  dev.url = `tcp://127.0.0.1:${dev.port}`;

  // An unsolicited line to every open connection (CR LF appended).
  dev.send = (line) => { for (const s of dev.sockets) s.write(line + CRLF); };
  dev.lines = () => dev.commands.map((c) => c.line);
  dev.waitCommands = async (n, ms = 3000) => {
    const until = Date.now() + ms;
    while (dev.commands.length < n) {
      if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${n} AMCP commands; got ${JSON.stringify(dev.lines())}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return dev.commands;
  };
  dev.waitConnected = async (ms = 3000) => {
    const until = Date.now() + ms;
    while (dev.sockets.size === 0) {
      if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for the daemon to connect`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  dev.close = async () => {
    for (const s of dev.sockets) s.destroy();
    await new Promise((r) => dev.server.close(() => r()));
  };
  return dev;
}
