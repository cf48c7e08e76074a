// http.tls: the daemon serves HTTPS and WSS only, with a certificate made for this run by
// the openssl CLI; a plain request to the port gets no page, and a missing or wrong key
// stops start-up with an error naming the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import http from 'node:http';
import tls from 'node:tls';
import { WebSocket } from 'ws';
import { Daemon, rundown, waitFor, DAEMON, ROOT } from './lib/daemon.mjs';
import { launch, CHROMIUM } from './lib/browser.mjs';

let dir;
let cert; // { cert, key, pem }: the paths and the certificate's text (the clients' CA)
let otherKey; // a key that is not the certificate's

// A self-signed P-256 certificate valid for 127.0.0.1, so Node verifies it with `ca`
// alone (no rejectUnauthorized: false anywhere in this file).
function makeCert(name) {
  const certPath = join(dir, `${name}-cert.pem`);
  const keyPath = join(dir, `${name}-key.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-days', '2', '-subj', `/CN=showcaller ${name}`,
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
  return { cert: certPath, key: keyPath, pem: readFileSync(certPath) };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'showcaller-tls-'));
  cert = makeCert('test');
  otherKey = makeCert('other').key;
});

after(() => rmSync(dir, { recursive: true, force: true }));

function show() {
  return rundown({ items: [{ id: 'a', title: 'A', duration: '30s' }, { id: 'b', title: 'B', duration: '30s' }] });
}

function tlsDaemon(extra = {}, valgrind = false) {
  return new Daemon({ show: show(), config: { http: { tls: { cert: cert.cert, key: cert.key } }, ...extra }, valgrind });
}

// One HTTPS request, trusting the test certificate (ca: null trusts only the system's
// roots); resolves with the status, body and content type.
function httpsGet(port, path, { ca = cert.pem, token = null } = {}) {
  return new Promise((res, rej) => {
    const req = https.request({
      host: '127.0.0.1', port, path, method: 'GET', ca: ca || undefined, agent: false,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c) => { body += c; });
      r.on('end', () => res({ status: r.statusCode, body, type: r.headers['content-type'] }));
    });
    req.on('error', rej);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

// A plain-HTTP request to the TLS port: resolves with { status } or { error }.
function plainGet(port, path) {
  return new Promise((res) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (r) => {
      r.resume();
      res({ status: r.statusCode });
    });
    req.on('error', (e) => res({ error: e.code || e.message }));
    req.setTimeout(3000, () => { req.destroy(); res({ error: 'timeout' }); });
  });
}

// A wss:// client that trusts the test certificate; collects what arrives.
async function wssClient(port, token) {
  const ws = new WebSocket(`wss://127.0.0.1:${port}/ws?token=${token}`, { ca: cert.pem });
  const c = { ws, states: [], replies: new Map(), hello: null };
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.type === 'state') c.states.push(m);
    else if (m.type === 'hello') c.hello = m;
    else if ('reply' in m) c.replies.set(m.reply, m);
  });
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  c.closed = new Promise((r) => ws.on('close', (code) => r(code)));
  return c;
}

test('tls: HTTPS API, WSS commands logged in the as-run log, no plain HTTP on the port, https:// URLs', async () => {
  const d = await tlsDaemon().start();
  try {
    const port = d.http;
    assert.match(d.stdout, new RegExp(`producer: https://127\\.0\\.0\\.1:${port}/producer/\\?token=`));
    assert.match(d.stdout, new RegExp(`stage: +https://127\\.0\\.0\\.1:${port}/stage/`));
    assert.doesNotMatch(d.stdout, /http:\/\//);

    // HTTPS, verified against the certificate (its subjectAltName covers 127.0.0.1).
    const st = await httpsGet(port, '/api/state', { token: d.token });
    assert.equal(st.status, 200);
    assert.equal(JSON.parse(st.body).type, 'state');
    const page = await httpsGet(port, '/stage/');
    assert.equal(page.status, 200);
    assert.match(page.type, /text\/html/);

    // The certificate served is the one configured: without it as CA, verification fails.
    await assert.rejects(httpsGet(port, '/api/state', { ca: null }), /self[- ]signed|unable to verify/i);

    // Offered h2 and HTTP/1.1, the daemon picks HTTP/1.1 (its only tested HTTP path).
    const alpn = await new Promise((res, rej) => {
      const s = tls.connect({ host: '127.0.0.1', port, ca: cert.pem, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
        res(s.alpnProtocol);
        s.destroy();
      });
      s.on('error', rej);
    });
    assert.equal(alpn, 'http/1.1');

    // WSS: authenticated, receives state, and a GO is accepted and logged.
    const c = await wssClient(port, d.token);
    await waitFor(() => c.hello && c.states.length > 0, 3000, 'hello and state over wss');
    assert.equal(c.hello.role, 'control');
    assert.equal(c.states[0].show.state, 'idle');
    c.ws.send(JSON.stringify({ cmd: 'go', id: 1 }));
    const rep = await waitFor(() => c.replies.get(1), 3000, 'the reply to go');
    assert.equal(rep.ok, true, JSON.stringify(rep));
    await waitFor(() => c.states.some((s) => s.current && s.current.id === 'a'), 3000, 'state with item a running');
    const log = await d.asrunWhen((r) => r.some((x) => x.kind === 'command' && x.cmd === 'go'), 3000, 'the GO in the as-run log');
    const go = log.find((x) => x.kind === 'command' && x.cmd === 'go');
    assert.equal(go.door, 'ws');
    assert.equal(go.ok, true);

    // Plain HTTP and ws:// to the TLS port get nothing: no 200, no upgrade.
    const plain = await plainGet(port, '/api/state');
    assert.notEqual(plain.status, 200, `plain HTTP got ${JSON.stringify(plain)}`);
    const plainWs = await new Promise((res) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${d.token}`);
      ws.on('open', () => { ws.close(); res('open'); });
      ws.on('unexpected-response', (_q, r) => res(r.statusCode));
      ws.on('error', () => res('error'));
    });
    assert.equal(plainWs, 'error');

    // The daemon is none the worse for them.
    assert.equal((await httpsGet(port, '/api/state', { token: d.token })).status, 200);
    c.ws.close();
    await c.closed;
  } finally {
    const ex = await d.stop();
    d.cleanup();
    assert.equal(ex.code, 0, d.stderr);
    assert.match(d.stderr, /stopped cleanly/);
  }
});

// Starts a daemon that must refuse to start; resolves with its exit, its output, and
// what `showcallerd --check` says of the same files.
async function refusedStart(tlsConfig) {
  const d = new Daemon({ show: show(), config: { http: { tls: tlsConfig } } });
  try {
    await assert.rejects(d.start(), /showcallerd exited at start/);
    const ex = await d.exited;
    const check = await new Promise((res) => {
      execFile(DAEMON, ['--check', d.showPath, '--config', d.configPath], { cwd: ROOT },
        (err, _out, stderr) => res({ code: err ? err.code : 0, stderr }));
    });
    return { ex, stdout: d.stdout, stderr: d.stderr, port: d.http, check };
  } finally {
    d.cleanup();
  }
}

test('tls: a missing key file stops start-up with an error naming it; --check reports it too', async () => {
  const missing = join(dir, 'no-such-key.pem');
  const r = await refusedStart({ cert: cert.cert, key: missing });
  assert.equal(r.ex.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`http\\.tls\\.key: cannot read "${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}": No such file or directory`));
  assert.doesNotMatch(r.stdout, /is running/);
  assert.doesNotMatch(r.stderr, /Assertion|Segmentation|AddressSanitizer/);
  // It did not fall back to plain HTTP: nothing answers on the port.
  assert.ok((await plainGet(r.port, '/')).error, 'nothing answers on the port');
  assert.equal(r.check.code, 1);
  assert.match(r.check.stderr, /http\.tls\.key: cannot read ".*no-such-key\.pem": No such file or directory/);
});

test('tls: a key that is not the certificate\'s, or a certificate that is not PEM, stops start-up by name', async () => {
  const wrong = await refusedStart({ cert: cert.cert, key: otherKey });
  assert.equal(wrong.ex.code, 1, wrong.stderr);
  assert.match(wrong.stderr, /http\.tls\.key: ".*other-key\.pem" is not the key of the certificate in ".*test-cert\.pem"/);

  const swapped = await refusedStart({ cert: cert.key, key: cert.key });
  assert.equal(swapped.ex.code, 1, swapped.stderr);
  assert.match(swapped.stderr, /http\.tls\.cert: ".*test-key\.pem" is not a PEM certificate/);
  assert.doesNotMatch(swapped.stderr, /Assertion|Segmentation|AddressSanitizer/);
});

test('tls: the producer page loaded over https talks to the daemon over wss', { skip: !existsSync(CHROMIUM) }, async () => {
  const d = await tlsDaemon().start();
  const browser = await launch();
  try {
    const origin = `https://127.0.0.1:${d.http}`;
    // The browser is told to accept the test certificate; Node checked it properly above.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const sockets = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${origin}/producer/?token=${d.token}`);
    await page.waitForSelector('#role[data-role="control"]', { timeout: 5000 });
    await page.waitForFunction(() => document.body.dataset.conn === 'live', null, { timeout: 5000 });
    assert.deepEqual([...new Set(sockets)], [`wss://127.0.0.1:${d.http}/ws`]);
    await page.click('#go');
    await d.asrunWhen((r) => r.some((x) => x.kind === 'command' && x.cmd === 'go' && x.ok), 3000, 'the page\'s GO');
    await context.close();
  } finally {
    await browser.close();
    const ex = await d.stop();
    d.cleanup();
    assert.equal(ex.code, 0, d.stderr);
  }
});

const hasValgrind = (() => { try { execFileSync('valgrind', ['--version']); return true; } catch { return false; } })();

test('tls: under valgrind, HTTPS, WSS, a plain-HTTP knock and SIGTERM: no errors, no leaks', { skip: !hasValgrind || /asan/.test(DAEMON) }, async () => {
  const d = tlsDaemon({}, true);
  try {
    await d.start();
    assert.equal((await httpsGet(d.http, '/api/state', { token: d.token })).status, 200);
    const c = await wssClient(d.http, d.token);
    c.ws.send(JSON.stringify({ cmd: 'go', id: 1 }));
    assert.equal((await waitFor(() => c.replies.get(1), 5000, 'the reply to go')).ok, true);
    assert.notEqual((await plainGet(d.http, '/')).status, 200);
    // A client still connected at SIGTERM is closed with 1001 over TLS.
    const ex = await d.stop();
    assert.equal(await c.closed, 1001);
    assert.equal(ex.code, 0, `exit ${ex.code}: valgrind or the daemon reported:\n${d.stderr.split('\n').filter((l) => l.startsWith('==')).join('\n')}`);
    assert.match(d.stderr, /stopped cleanly/);
  } finally {
    if (d.proc && d.proc.exitCode === null) await d.stop();
    d.cleanup();
  }
});
