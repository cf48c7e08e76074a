// https:// targets: an HTTP-controlled device on Node's own `https` server, its
// certificate signed by a test CA made for this run with the openssl CLI. With the
// target's "ca" the cues reach the device over TLS and are answered as on http://
// (ok, error, keep-alive, reconnects, pipelining, TLS 1.2 as well as 1.3); without it
// (the system's CAs only), with a certificate for another address, a TLS 1.1 device
// or a device that does not speak TLS, the daemon refuses the device, shows the
// target down with OpenSSL's reason, fails the cues and sends the device nothing.
// The devices listen on port 0 (the kernel's pick, as devices/http-device.mjs does);
// the daemon's own ports come from freePort (lib/daemon.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import { Daemon, rundown, sleep, waitFor, assertAcked } from './lib/daemon.mjs';
import { cueRecords, isoToUs, stopClean } from './lib/outputs-helpers.mjs';

const T = { timeout: 15000 };

// ---------------------------------------------------------------------------
// A test CA and device certificates, by the openssl CLI, in a temp dir.

let dir;
let pki; // { ca, good, wrongName }: each {cert, key}, PEM file paths

// One config file for every openssl call: nothing comes from the system's openssl.cnf.
const OPENSSL_CNF = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[good_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = IP:127.0.0.1
[wrong_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, IP:127.0.0.2
`;

const openssl = (args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(cnf) {
  const cert = join(dir, 'ca-cert.pem');
  const key = join(dir, 'ca-key.pem');
  openssl(['req', '-x509', '-config', cnf, '-extensions', 'ca_ext', ...EC, '-days', '2',
    '-subj', '/CN=showcaller test CA', '-keyout', key, '-out', cert]);
  return { cert, key };
}

// A device certificate signed by the CA, with the extensions of section `ext`.
function makeLeaf(cnf, ca, name, ext, serial) {
  const cert = join(dir, `${name}-cert.pem`);
  const key = join(dir, `${name}-key.pem`);
  const csr = join(dir, `${name}.csr`);
  openssl(['req', '-new', '-config', cnf, ...EC, '-subj', `/CN=showcaller device ${name}`, '-keyout', key, '-out', csr]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', String(serial),
    '-days', '2', '-extfile', cnf, '-extensions', ext, '-out', cert]);
  return { cert, key };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'showcaller-https-'));
  const cnf = join(dir, 'openssl.cnf');
  writeFileSync(cnf, OPENSSL_CNF);
  const ca = makeCa(cnf);
  pki = {
    ca,
    good: makeLeaf(cnf, ca, 'good', 'good_ext', 1001),
    wrongName: makeLeaf(cnf, ca, 'wrong', 'wrong_ext', 1002),
  };
  // The certificates are what the tests say they are: Node's own TLS client checks them.
  const text = (p) => execFileSync('openssl', ['x509', '-in', p, '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' });
  assert.match(text(pki.good.cert), /IP Address:127\.0\.0\.1\b/);
  assert.doesNotMatch(text(pki.wrongName.cert), /127\.0\.0\.1\b/);
  execFileSync('openssl', ['verify', '-CAfile', ca.cert, pki.good.cert, pki.wrongName.cert], { stdio: 'ignore' });
});

after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

// ---------------------------------------------------------------------------
// The device: a vMix-style web API over HTTPS (ok and broken as in
// devices/http-device.mjs, plus two for sizes). It sends its own certificate only,
// not the CA's.
//   .../ok      200, body "OK <method> <path>"
//   .../broken  500, body "internal failure in <method>"
//   .../size    200, body "got <n> bytes" (n: the request body's length)
//   .../big     200, 100 000 bytes, chunked ("B" then "b"s), in 25 writes
//   anything else 404

// tlsOptions: more of Node's TLS server options (minVersion, maxVersion, ciphers).
async function startHttpsDevice(leaf, tlsOptions = {}) {
  const dev = { requests: [], sockets: new Set(), tcpConnections: 0, tlsSessions: 0, tlsErrors: [] };
  const options = { key: readFileSync(leaf.key), cert: readFileSync(leaf.cert), ...tlsOptions };
  dev.server = https.createServer(options, (req, res) => {
    const chunks = [];
    req.on('data', (b) => chunks.push(b));
    req.on('end', () => {
      const path = req.url.split('?')[0];
      const last = path.split('/').filter(Boolean).pop() || '';
      dev.requests.push({
        method: req.method,
        url: req.url,
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        remotePort: req.socket.remotePort,
        remoteAddress: req.socket.remoteAddress,
        protocol: req.socket.getProtocol(),
        servername: req.socket.servername,
      });
      const send = (status, body) => {
        res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (last === 'ok') return send(200, `OK ${req.method} ${path}`);
      if (last === 'broken') return send(500, `internal failure in ${req.method}`);
      if (last === 'size') return send(200, `got ${Buffer.concat(chunks).length} bytes`);
      if (last === 'big') {
        res.writeHead(200, { 'content-type': 'text/plain' }); // no length: chunked
        for (let i = 0; i < 25; i++) res.write((i === 0 ? 'B' : 'b').padEnd(4000, 'b'));
        return res.end();
      }
      return send(404, 'not found');
    });
  });
  dev.server.keepAliveTimeout = 30000;
  dev.server.headersTimeout = 31000;
  dev.server.requestTimeout = 0;
  // TCP connections (the daemon reached the port) and finished TLS handshakes.
  dev.server.on('connection', (s) => {
    dev.tcpConnections++;
    dev.sockets.add(s);
    s.on('close', () => dev.sockets.delete(s));
  });
  dev.tlsSockets = new Set();
  dev.server.on('secureConnection', (s) => {
    dev.tlsSessions++;
    dev.tlsSockets.add(s);
    s.on('close', () => dev.tlsSockets.delete(s));
  });
  dev.server.on('tlsClientError', (e, s) => { dev.tlsErrors.push(e.code || e.message); s.destroy(); });
  await new Promise((r, j) => { dev.server.once('error', j); dev.server.listen(0, '127.0.0.1', r); });
  dev.port = dev.server.address().port;
  dev.url = (base = '') => `https://127.0.0.1:${dev.port}${base}`;
  // The certificate for new connections (the ones open keep theirs).
  dev.useCert = (l) => dev.server.setSecureContext({ key: readFileSync(l.key), cert: readFileSync(l.cert) });
  dev.close = async () => {
    for (const s of dev.sockets) s.destroy();
    await new Promise((r) => dev.server.close(() => r()));
  };
  return dev;
}

// ---------------------------------------------------------------------------
// The daemon side (as in 20-devices).

async function startDaemon(opts) {
  const d = new Daemon(opts);
  try {
    return await d.start();
  } catch (e) {
    d.cleanup();
    throw e;
  }
}

async function fire(d, cue) {
  const r = await d.api('fire', { cue });
  assert.equal(r.status, 200, `fire ${cue}: ${JSON.stringify(r.body)}`);
  assertAcked(r.body);
}

const answerRecords = (d) => d.asrun().filter((r) => r.kind === 'answer');

async function fireAndAnswer(d, cue, ms = 3000) {
  await fire(d, cue);
  await d.asrunWhen((rs) => rs.some((r) => r.kind === 'answer' && r.cue === cue), ms, `the answer record of ${cue}`);
  return answerRecords(d).filter((r) => r.cue === cue).at(-1);
}

// An answer record's shape, and that it points at its cue record (sent).
function checkAnswerRecord(d, a, { cue, item, target, answer }) {
  const what = `answer of ${cue}: ${JSON.stringify(a)}`;
  assert.equal(a.kind, 'answer', what);
  assert.equal(a.cue, cue, what);
  assert.equal(a.item, item, what);
  assert.equal(a.target, target, what);
  assert.equal(a.answer, answer, what);
  assert.ok(Number.isInteger(a.seq), what);
  assert.ok(Number.isInteger(a.answer_us) && a.answer_us >= 0, `answer_us is an integer: ${what}`);
  assert.equal(typeof a.answered, 'string', what);
  const rec = cueRecords(d).find((r) => r.seq === a.cue_seq);
  assert.ok(rec, `cue_seq ${a.cue_seq} is the seq of a cue record: ${what}`);
  assert.equal(rec.cue, cue, `cue_seq points at ${cue}'s record`);
  assert.equal(rec.outcome, 'sent', JSON.stringify(rec));
  assert.equal(rec.protocol, 'https', JSON.stringify(rec));
  assert.ok(a.seq > rec.seq, 'the answer record comes after its cue record');
  const span = isoToUs(a.answered) - isoToUs(rec.sent);
  assert.ok(Math.abs(span - a.answer_us) <= 20000, `answered - sent = ${span} µs, answer_us ${a.answer_us}: ${what}`);
  return rec;
}

async function stateTarget(d, name) {
  const t = (await d.state()).targets.find((x) => x.name === name);
  assert.ok(t, `target ${name} is in the state`);
  return t;
}

// Waits until the target is down with an error matching re; returns its state entry.
async function waitDown(d, name, re, ms = 3000) {
  let last;
  try {
    await waitFor(async () => {
      last = await stateTarget(d, name);
      return last.state === 'down' && re.test(last.error || '');
    }, ms, `target ${name} down with ${re}`);
  } catch (e) {
    e.message += `; last state ${JSON.stringify(last)}\n${d.stderr}`;
    throw e;
  }
  return last;
}

// A cue to a device the daemon refuses: its record is "failed" (never sent) and it
// has no answer record.
async function fireRefused(d, cue, target) {
  await fire(d, cue);
  const rs = await d.asrunWhen((x) => x.some((r) => r.kind === 'cue' && r.cue === cue), 3000, `the cue record of ${cue}`);
  const rec = rs.filter((r) => r.kind === 'cue' && r.cue === cue).at(-1);
  assert.equal(rec.outcome, 'failed', JSON.stringify(rec));
  assert.equal(rec.target, target, JSON.stringify(rec));
  assert.equal(rec.protocol, 'https', JSON.stringify(rec));
  assert.equal(rec.sent, null, `a failed cue was never sent: ${JSON.stringify(rec)}`);
  assert.equal(typeof rec.error, 'string', JSON.stringify(rec));
  await sleep(100);
  assert.ok(!answerRecords(d).some((a) => a.cue === cue), `no answer record for a cue never sent: ${JSON.stringify(answerRecords(d))}`);
  return rec;
}

// The daemon's log line for a target going down, logged once per new reason.
const downLines = (d, name, reason) => d.stderr.split('\n').filter((l) => l.includes(`target ${name} (`) && l.includes(`: down: ${reason}`));

function show(cues) {
  return rundown({ items: [{ id: 's', title: 'HTTPS', duration: '10s', cues }] });
}

// ---------------------------------------------------------------------------
// 1. With "ca": over TLS like http://.

test('https with "ca": cues reach the device over TLS (method, base + cue path, headers, body), 2xx is "ok" and 500 "error" tied to their cues; keep-alive, and a new TLS connection after the device closes it', T, async (t) => {
  const dev = await startHttpsDevice(pki.good);
  const cues = [
    { id: 's-post', at: '0', target: 'vmix', http: { method: 'POST', path: '/api/ok', body: { fn: 'Cut', input: 2, s: 'é ✓' } } },
    { id: 's-get', at: '0', target: 'vmix', http: { method: 'GET', path: '/api/ok?Function=Fade&Duration=500', headers: { 'X-Test': 'tls' } } },
    { id: 's-500', at: '0', target: 'vmix', http: { method: 'POST', path: '/api/broken', body: 'plain words' } },
    { id: 's-again', at: '0', target: 'vmix', http: { method: 'PUT', path: '/api/ok', body: { again: true } } },
    { id: 's-graceful', at: '0', target: 'vmix', http: { path: '/api/graceful/ok' } },
  ];
  let d;
  try {
    d = await startDaemon({
      show: show(cues),
      targets: { vmix: { url: dev.url('/base'), ca: pki.ca.cert, timeout: '1s' } },
    });
    await waitFor(async () => (await stateTarget(d, 'vmix')).state === 'connected', 3000, 'the https target to connect');
    const st0 = await stateTarget(d, 'vmix');
    assert.equal(st0.kind, 'https', JSON.stringify(st0));
    assert.equal(st0.error, null, JSON.stringify(st0));

    const post = await fireAndAnswer(d, 's-post');
    const get = await fireAndAnswer(d, 's-get');
    const err = await fireAndAnswer(d, 's-500');
    assert.equal(dev.requests.length, 3, `one request per cue: ${dev.requests.map((r) => `${r.method} ${r.url}`).join(', ')}`);
    const [rp, rg, re] = dev.requests;

    assert.equal(rp.method, 'POST');
    assert.equal(rp.url, '/base/api/ok', 'the target\'s base path, then the cue\'s');
    assert.match(rp.headers['content-type'], /^application\/json\b/);
    assert.deepEqual(JSON.parse(rp.body), { fn: 'Cut', input: 2, s: 'é ✓' });
    assert.equal(Number(rp.headers['content-length']), Buffer.byteLength(rp.body));
    assert.equal(rp.headers.host, `127.0.0.1:${dev.port}`);

    assert.equal(rg.method, 'GET');
    assert.equal(rg.url, '/base/api/ok?Function=Fade&Duration=500', 'the query is kept');
    assert.equal(rg.headers['x-test'], 'tls');
    assert.equal(rg.body, '');

    assert.equal(re.method, 'POST');
    assert.equal(re.url, '/base/api/broken');
    assert.match(re.headers['content-type'], /^text\/plain\b/);
    assert.equal(re.body, 'plain words');

    for (const r of dev.requests) {
      assert.ok(['TLSv1.2', 'TLSv1.3'].includes(r.protocol), `TLS 1.2 or later: ${r.protocol}`);
      assert.equal(r.remoteAddress, '127.0.0.1');
      // An address is not a server name: no SNI for an IP target (RFC 6066 3).
      assert.ok(!r.servername, `no SNI for 127.0.0.1: ${JSON.stringify(r.servername)}`);
    }
    assert.equal(new Set(dev.requests.map((r) => r.remotePort)).size, 1, 'one keep-alive TLS connection');

    checkAnswerRecord(d, post, { cue: 's-post', item: 's', target: 'vmix', answer: 'ok' });
    assert.match(post.answer_detail, /^HTTP 200: OK POST \/base\/api\/ok$/, post.answer_detail);
    checkAnswerRecord(d, get, { cue: 's-get', item: 's', target: 'vmix', answer: 'ok' });
    assert.match(get.answer_detail, /^HTTP 200: OK GET \/base\/api\/ok$/, get.answer_detail);
    checkAnswerRecord(d, err, { cue: 's-500', item: 's', target: 'vmix', answer: 'error' });
    assert.equal(err.answer_detail, 'HTTP 500: internal failure in POST');

    // The device closes its idle connection: the next cue makes a new TLS connection
    // at once, goes once and is answered.
    for (const s of dev.sockets) s.destroy();
    await sleep(100);
    const again = await fireAndAnswer(d, 's-again');
    checkAnswerRecord(d, again, { cue: 's-again', item: 's', target: 'vmix', answer: 'ok' });
    assert.equal(dev.requests.length, 4, 'the cue after the close reached the device once');
    assert.equal(dev.requests[3].method, 'PUT');
    assert.deepEqual(JSON.parse(dev.requests[3].body), { again: true });
    assert.notEqual(dev.requests[3].remotePort, rp.remotePort, 'a new connection');

    // This time the device ends it properly (TLS close_notify, then FIN): the same.
    // (The daemon closes its side and, as the connection had worked, connects again at once.)
    const ended = [...dev.tlsSockets];
    assert.equal(ended.length, 1, 'one TLS connection open');
    for (const s of ended) s.end();
    await waitFor(() => ended.every((s) => s.destroyed), 2000, 'the daemon to close its side');
    const graceful = await fireAndAnswer(d, 's-graceful');
    checkAnswerRecord(d, graceful, { cue: 's-graceful', item: 's', target: 'vmix', answer: 'ok' });
    assert.equal(graceful.answer_detail, 'HTTP 200: OK GET /base/api/graceful/ok');
    assert.equal(dev.requests.length, 5);
    assert.equal(dev.tlsSessions, 3, 'three TLS handshakes in all');
    assert.deepEqual(dev.tlsErrors, []);

    const st = await stateTarget(d, 'vmix');
    assert.equal(st.state, 'connected', JSON.stringify(st));
    assert.deepEqual(st.answers, { ok: 4, error: 1, timeout: 0 }, JSON.stringify(st));
    assert.equal(st.sent, 5, JSON.stringify(st));
    assert.equal(st.failed, 0, JSON.stringify(st));
    assert.equal(st.last_answer.cue, 's-graceful');
    t.diagnostic(`TLS ${dev.requests[0].protocol}; answer_us ${[post, get, err, again, graceful].map((a) => a.answer_us).join(', ')}`);
  } finally {
    await dev.close();
    if (d) await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 2. Without "ca": the system's CAs do not know the test CA.

test('https without "ca": the device is refused with "unable to get local issuer certificate"; the target is down, cues fail, the device gets no request', T, async (t) => {
  const dev = await startHttpsDevice(pki.good);
  let d;
  try {
    d = await startDaemon({
      show: show([{ id: 'n-cut', at: '0', target: 'vmix', http: { method: 'POST', path: '/api/ok', body: { fn: 'Cut' } } }]),
      targets: { vmix: { url: dev.url(), timeout: '1s' } },
    });
    const down = await waitDown(d, 'vmix', /unable to get local issuer certificate/);
    assert.equal(down.error, "TLS: the device's certificate: unable to get local issuer certificate");
    assert.equal(down.kind, 'https');
    assert.ok(dev.tcpConnections >= 1, 'the daemon reached the device\'s port');
    assert.equal(dev.tlsSessions, 0, 'no TLS session was set up');

    const rec = await fireRefused(d, 'n-cut', 'vmix');
    const st = await stateTarget(d, 'vmix');
    assert.equal(st.state === 'down' || st.state === 'connecting', true, JSON.stringify(st));
    assert.match(st.error, /unable to get local issuer certificate/, 'the reason stays while it retries');
    assert.equal(st.sent, 0, JSON.stringify(st));
    assert.equal(st.failed, 1, JSON.stringify(st));
    assert.deepEqual(st.answers, { ok: 0, error: 0, timeout: 0 }, JSON.stringify(st));
    assert.deepEqual(dev.requests, [], 'nothing reached the device');
    assert.equal(dev.tlsSessions, 0);
    assert.ok(dev.tcpConnections >= 2, `the cue made the daemon try again: ${dev.tcpConnections} connections`);

    // The log says it once, not at every retry.
    const lines = downLines(d, 'vmix', "TLS: the device's certificate: unable to get local issuer certificate");
    assert.equal(lines.length, 1, `logged once:\n${d.stderr}`);
    t.diagnostic(`state error: ${JSON.stringify(down.error)}; the failed cue's error: ${JSON.stringify(rec.error)}; log: ${lines[0].trim()}; the device saw ${dev.tcpConnections} connections, TLS errors ${JSON.stringify(dev.tlsErrors)}`);
  } finally {
    await dev.close();
    if (d) await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 3. With "ca" but a certificate for another address.

test('https with "ca", a certificate for localhost/127.0.0.2 at 127.0.0.1: refused with "IP address mismatch"; once the device has the right certificate the retry connects and cues are answered; an unreadable "ca" is named', T, async (t) => {
  const dev = await startHttpsDevice(pki.wrongName);
  const missingCa = join(dir, 'no-such-ca.pem');
  let d;
  try {
    d = await startDaemon({
      show: show([
        { id: 'w-cut', at: '0', target: 'vmix', http: { method: 'POST', path: '/api/ok', body: { fn: 'Cut' } } },
        { id: 'w-fixed', at: '0', target: 'vmix', http: { method: 'POST', path: '/api/ok', body: { fn: 'Fade' } } },
        { id: 'w-noca', at: '0', target: 'noca', http: { path: '/api/ok' } },
      ]),
      targets: {
        vmix: { url: dev.url(), ca: pki.ca.cert, timeout: '1s' },
        noca: { url: dev.url(), ca: missingCa, timeout: '1s' },
      },
    });
    const down = await waitDown(d, 'vmix', /mismatch/i);
    assert.equal(down.error, "TLS: the device's certificate: IP address mismatch");
    assert.equal(dev.tlsSessions, 0, 'no TLS session was set up');
    const rec = await fireRefused(d, 'w-cut', 'vmix');
    assert.deepEqual(dev.requests, [], 'nothing reached the device');
    assert.equal(downLines(d, 'vmix', "TLS: the device's certificate: IP address mismatch").length, 1, `logged once:\n${d.stderr}`);

    // A "ca" file that cannot be read: the target is down, named by the file.
    const noca = await waitDown(d, 'noca', /CA file/);
    assert.equal(noca.error, `TLS: cannot read the CA file ${missingCa}`);
    await fireRefused(d, 'w-noca', 'noca');

    // The device gets the right certificate: the daemon's next retry connects, and
    // the cue goes and is answered.
    dev.useCert(pki.good);
    await waitFor(async () => (await stateTarget(d, 'vmix')).state === 'connected', 4000, 'the retry to connect');
    const st0 = await stateTarget(d, 'vmix');
    assert.equal(st0.error, null, `the reason is gone once connected: ${JSON.stringify(st0)}`);
    const ok = await fireAndAnswer(d, 'w-fixed');
    checkAnswerRecord(d, ok, { cue: 'w-fixed', item: 's', target: 'vmix', answer: 'ok' });
    assert.equal(dev.requests.length, 1, JSON.stringify(dev.requests.map((r) => r.url)));
    assert.deepEqual(JSON.parse(dev.requests[0].body), { fn: 'Fade' });
    const st = await stateTarget(d, 'vmix');
    assert.equal(st.sent, 1, JSON.stringify(st));
    assert.equal(st.failed, 1, JSON.stringify(st));
    assert.deepEqual(st.answers, { ok: 1, error: 0, timeout: 0 }, JSON.stringify(st));
    t.diagnostic(`state error: ${JSON.stringify(down.error)}; the failed cue's error: ${JSON.stringify(rec.error)}; unreadable ca: ${JSON.stringify(noca.error)}`);
  } finally {
    await dev.close();
    if (d) await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 4. The protocol versions: TLS 1.2 works (a different handshake from 1.3's, the
//    client's Finished last), TLS 1.1 is refused.

test('https: a TLS 1.2-only device is answered; a TLS 1.1-only device is refused, down with OpenSSL\'s reason', T, async (t) => {
  const v12 = await startHttpsDevice(pki.good, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  // Node's OpenSSL speaks TLS 1.1 only below security level 1.
  const v11 = await startHttpsDevice(pki.good, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
  let d;
  try {
    d = await startDaemon({
      show: show([
        { id: 'v-12', at: '0', target: 'tls12', http: { method: 'POST', path: '/api/ok', body: { v: 12 } } },
        { id: 'v-12b', at: '0', target: 'tls12', http: { path: '/api/broken' } },
        { id: 'v-11', at: '0', target: 'tls11', http: { method: 'POST', path: '/api/ok', body: { v: 11 } } },
      ]),
      targets: {
        tls12: { url: v12.url(), ca: pki.ca.cert, timeout: '1s' },
        tls11: { url: v11.url(), ca: pki.ca.cert, timeout: '1s' },
      },
    });
    await waitFor(async () => (await stateTarget(d, 'tls12')).state === 'connected', 3000, 'the TLS 1.2 target to connect');
    const a = await fireAndAnswer(d, 'v-12');
    checkAnswerRecord(d, a, { cue: 'v-12', item: 's', target: 'tls12', answer: 'ok' });
    const b = await fireAndAnswer(d, 'v-12b');
    checkAnswerRecord(d, b, { cue: 'v-12b', item: 's', target: 'tls12', answer: 'error' });
    assert.equal(b.answer_detail, 'HTTP 500: internal failure in GET');
    assert.deepEqual(v12.requests.map((r) => [r.protocol, r.method, r.url, r.body]),
      [['TLSv1.2', 'POST', '/api/ok', '{"v":12}'], ['TLSv1.2', 'GET', '/api/broken', '']]);

    const down = await waitDown(d, 'tls11', /^TLS: /);
    assert.doesNotMatch(down.error, /certificate/, `refused for its version, not its certificate: ${down.error}`);
    assert.match(down.error, /protocol version|unsupported protocol|no protocols available/i, down.error);
    await fireRefused(d, 'v-11', 'tls11');
    assert.deepEqual(v11.requests, [], 'nothing reached the TLS 1.1 device');
    assert.equal(v11.tlsSessions, 0);
    assert.ok(v11.tcpConnections >= 1, 'the daemon reached the TLS 1.1 device\'s port');
    t.diagnostic(`TLS 1.1 device: ${JSON.stringify(down.error)}; the device saw ${JSON.stringify(v11.tlsErrors)}`);
  } finally {
    await v12.close();
    await v11.close();
    if (d) await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 5. Many at once, and more than one TLS record each way.

test('https: a GO fires five cues at once, pipelined on one TLS connection and each answered by its own response; a 60 000-byte body goes whole; a 100 000-byte chunked response is read to its end', T, async () => {
  const dev = await startHttpsDevice(pki.good);
  const five = [1, 2, 3, 4, 5].map((i) => ({ id: `p-${i}`, at: '0', target: 'vmix', http: { method: 'POST', path: `/api/${i}/ok`, body: { i } } }));
  const body = 'x'.repeat(60000);
  let d;
  try {
    d = await startDaemon({
      show: rundown({
        items: [
          { id: 'p', title: 'Five at once', duration: '10s', cues: five },
          { id: 'q', title: 'Spare', duration: '10s', cues: [
            { id: 'q-body', at: '0', target: 'vmix', http: { method: 'PUT', path: '/api/size', body } },
            { id: 'q-big', at: '0', target: 'vmix', http: { path: '/api/big' } },
            { id: 'q-after', at: '0', target: 'vmix', http: { path: '/api/after/ok' } },
          ] },
        ],
      }),
      targets: { vmix: { url: dev.url(), ca: pki.ca.cert, timeout: '1s' } },
    });
    await waitFor(async () => (await stateTarget(d, 'vmix')).state === 'connected', 3000, 'the https target to connect');
    const r = await d.api('go');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const ids = five.map((c) => c.id);
    await d.asrunWhen((rs) => ids.every((id) => rs.some((x) => x.kind === 'answer' && x.cue === id)), 3000, 'five answers');
    for (const [n, id] of ids.entries()) {
      const a = answerRecords(d).find((x) => x.cue === id);
      checkAnswerRecord(d, a, { cue: id, item: 'p', target: 'vmix', answer: 'ok' });
      assert.equal(a.answer_detail, `HTTP 200: OK POST /api/${n + 1}/ok`, `${id} has its own response`);
    }
    assert.deepEqual(dev.requests.map((x) => x.body).sort(), [1, 2, 3, 4, 5].map((i) => `{"i":${i}}`));
    assert.equal(new Set(dev.requests.map((x) => x.remotePort)).size, 1, 'one TLS connection');

    const big = await fireAndAnswer(d, 'q-body');
    assert.equal(big.answer, 'ok', JSON.stringify(big));
    assert.equal(big.answer_detail, 'HTTP 200: got 60000 bytes');
    assert.equal(dev.requests.at(-1).body, body, 'the body arrived whole');

    const long = await fireAndAnswer(d, 'q-big');
    assert.equal(long.answer, 'ok', JSON.stringify(long));
    assert.equal(long.answer_detail, `HTTP 200: B${'b'.repeat(255)}`, 'the first 256 bytes');
    // The response was read to its end: the next cue's answer is its own.
    const after = await fireAndAnswer(d, 'q-after');
    assert.equal(after.answer_detail, 'HTTP 200: OK GET /api/after/ok');
    assert.equal(new Set(dev.requests.map((x) => x.remotePort)).size, 1, 'still one TLS connection');
    const st = await stateTarget(d, 'vmix');
    assert.deepEqual(st.answers, { ok: 8, error: 0, timeout: 0 }, JSON.stringify(st));
  } finally {
    await dev.close();
    if (d) await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 6. Devices that do not speak TLS at an https:// URL.

test('https to a device without TLS: a plain HTTP device is refused with "wrong version number"; a device that never answers the handshake fails the cue after the target\'s timeout, and gets no request', T, async (t) => {
  const plainRequests = [];
  const plain = http.createServer((req, res) => { plainRequests.push(req.url); res.end('plain'); });
  // (Node's own clientError handling answers the ClientHello "HTTP/1.1 400 Bad Request", as a web server does.)
  await new Promise((r) => plain.listen(0, '127.0.0.1', r));
  const silentConns = [];
  const silentBytes = [];
  const silent = net.createServer((s) => { silentConns.push(s); s.on('data', (b) => silentBytes.push(b)); s.on('error', () => {}); });
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  let d;
  try {
    d = await startDaemon({
      show: show([
        { id: 'x-plain', at: '0', target: 'plain', http: { path: '/api/ok' } },
        { id: 'x-silent', at: '0', target: 'silent', http: { method: 'POST', path: '/api/ok', body: 'never' } },
      ]),
      targets: {
        plain: { url: `https://127.0.0.1:${plain.address().port}`, timeout: '300ms' },
        silent: { url: `https://127.0.0.1:${silent.address().port}`, ca: pki.ca.cert, timeout: '300ms' },
      },
    });
    const down = await waitDown(d, 'plain', /^TLS: /);
    assert.match(down.error, /wrong version number/, down.error);
    await fireRefused(d, 'x-plain', 'plain');
    assert.deepEqual(plainRequests, [], 'the plain device never got a request it could read');

    // The silent device took the connection and the ClientHello and said nothing.
    await waitFor(() => silentConns.length >= 1 && silentBytes.length >= 1, 3000, 'the daemon\'s ClientHello');
    assert.equal(silentBytes[0][0], 0x16, 'a TLS handshake record');
    assert.notEqual((await stateTarget(d, 'silent')).state, 'connected');
    const t0 = Date.now();
    const rec = await fireRefused(d, 'x-silent', 'silent');
    const took = Date.now() - t0;
    // (took counts fireRefused's own 100 ms look for an answer record, too.)
    assert.ok(took >= 380 && took < 1600, `failed after the target's 300 ms timeout: ${took} ms`);
    const st = await stateTarget(d, 'silent');
    assert.notEqual(st.state, 'connected', JSON.stringify(st));
    assert.equal(st.error, 'cannot connect in time', JSON.stringify(st));
    assert.ok(!Buffer.concat(silentBytes).includes('never'), 'the request was never sent in the clear');
    t.diagnostic(`plain device: ${JSON.stringify(down.error)}; silent device: the cue failed after ${took} ms (${JSON.stringify(rec.error)}), target ${st.state} ${JSON.stringify(st.error)}`);
  } finally {
    for (const s of silentConns) s.destroy();
    await new Promise((r) => silent.close(r));
    plain.closeAllConnections();
    await new Promise((r) => plain.close(r));
    if (d) await stopClean(d);
  }
});
