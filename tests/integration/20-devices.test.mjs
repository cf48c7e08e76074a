// Devices that answer: http:// targets (a vMix-style web API), tcp:// targets
// with "answer": "line" (a CasparCG AMCP stand-in), ws:// targets with
// "answer": "message"; what each device receives, the answers in the as-run
// log (file, /api/asrun, /api/asrun.csv) and in the state, and what
// --check says of payloads that do not fit their target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { Daemon, DAEMON, ROOT, rundown, sleep, waitFor, assertAcked, freePort } from './lib/daemon.mjs';
import { UdpReceiver } from './lib/peers.mjs';
import { cueRecords, isoToUs, stopClean } from './lib/outputs-helpers.mjs';
import { startHttpDevice } from './devices/http-device.mjs';
import { startAmcpServer } from './devices/amcp-server.mjs';

const T = { timeout: 15000 };
const TIMEOUT_MS = 300; // every answering target's "timeout" below

async function fire(d, cue) {
  const r = await d.api('fire', { cue });
  assert.equal(r.status, 200, `fire ${cue}: ${JSON.stringify(r.body)}`);
  assertAcked(r.body);
}

async function go(d) {
  const r = await d.api('go');
  assert.equal(r.status, 200, `go: ${JSON.stringify(r.body)}`);
}

// The as-run log's answer records, by cue (the last one of each).
const answerRecords = (d) => d.asrun().filter((r) => r.kind === 'answer');
async function waitAnswers(d, ids, ms = 3000) {
  await d.asrunWhen((rs) => ids.every((id) => rs.some((r) => r.kind === 'answer' && r.cue === id)), ms,
    `answer records for ${ids.join(', ')}`);
  const by = {};
  for (const r of answerRecords(d)) by[r.cue] = r;
  return by;
}

// Fires a cue and waits for its answer record.
async function fireAndAnswer(d, cue, ms = 3000) {
  await fire(d, cue);
  return (await waitAnswers(d, [cue], ms))[cue];
}

// An answer record's shape, and that it points at its cue record.
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
  assert.equal(typeof a.wall, 'string', what);
  const rec = cueRecords(d).find((r) => r.seq === a.cue_seq);
  assert.ok(rec, `cue_seq ${a.cue_seq} is the seq of a cue record: ${what}`);
  assert.equal(rec.cue, cue, `cue_seq points at ${cue}'s record`);
  assert.equal(rec.outcome, 'sent', JSON.stringify(rec));
  assert.ok(a.seq > rec.seq, 'the answer record comes after its cue record');
  // answer_us is the time from sent to answered.
  const span = isoToUs(a.answered) - isoToUs(rec.sent);
  assert.ok(Math.abs(span - a.answer_us) <= 20000, `answered - sent = ${span} µs, answer_us ${a.answer_us}: ${what}`);
  return rec;
}

// RFC 4180 CSV: fields, quoted when they hold a comma, quote or line break.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (ch === '"') q = false; else f += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(f); f = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(f); rows.push(row); row = []; f = ''; i++; } else if (ch === '\n') { row.push(f); rows.push(row); row = []; f = ''; } else f += ch;
  }
  if (f !== '' || row.length) { row.push(f); rows.push(row); }
  return rows;
}

const stateCue = (st, id) => {
  const c = st.cues.find((x) => x.cue === id);
  assert.ok(c, `${id} is in state.cues: ${JSON.stringify(st.cues.map((x) => x.cue))}`);
  return c;
};
const stateTarget = (st, name) => {
  const t = st.targets.find((x) => x.name === name);
  assert.ok(t, `target ${name} is in the state`);
  return t;
};

// Starts a daemon; a daemon that refuses to start leaves no files behind.
async function startDaemon(opts) {
  const d = new Daemon(opts);
  try {
    return await d.start();
  } catch (e) {
    d.cleanup();
    throw e;
  }
}

// Runs `showcallerd --check` on a rundown and a config; resolves {code, stdout, stderr}.
function check(args) {
  return new Promise((res) => {
    execFile(DAEMON, ['--check', ...args], { cwd: ROOT }, (err, stdout, stderr) =>
      res({ code: err ? err.code : 0, stdout, stderr }));
  });
}

// ---------------------------------------------------------------------------
// 1. http: what the device receives, ok answers, one keep-alive connection.

test('http: GET/POST/PUT reach the device with method, base path + cue path, headers and body; 2xx is "ok"; one keep-alive connection', T, async () => {
  const dev = await startHttpDevice({ slowMs: 150 });
  const show = rundown({
    items: [{
      id: 'h', title: 'HTTP', duration: '2s',
      cues: [
        { id: 'h-get', at: '0', target: 'vmix', http: { method: 'GET', path: '/api/ok?Function=Cut&Input=2', headers: { 'X-Test': '1' } } },
        { id: 'h-post', at: '0', target: 'vmix', http: { method: 'POST', path: '/api/ok', body: { a: 1, s: 'é ✓', n: [1, 2] } } },
        { id: 'h-put', at: '0', target: 'vmix', http: { method: 'PUT', path: '/api/created', body: 'plain words' } },
        { id: 'h-ct', at: '0', target: 'vmix', http: { method: 'POST', path: '/api/ok', headers: { 'Content-Type': 'application/xml' }, body: '<cut input="2"/>' } },
        { id: 'h-default', at: '0', target: 'vmix', http: { path: '/api/empty' } },
        { id: 'h-slow', at: '0', target: 'vmix', http: { path: '/api/slow' } },
        { id: 'h-after-close', at: '0', target: 'vmix', http: { method: 'POST', path: '/api/ok', body: { again: true } } },
      ],
    }],
  });
  let d;
  try {
    d = await startDaemon({ show, targets: { vmix: { url: dev.url('/base'), timeout: `${TIMEOUT_MS}ms` } } });
    const ids = ['h-get', 'h-post', 'h-put', 'h-ct', 'h-default', 'h-slow'];
    const answers = {};
    for (const id of ids) answers[id] = await fireAndAnswer(d, id);
    assert.equal(dev.requests.length, ids.length, `one request per cue: ${dev.requests.map((r) => `${r.method} ${r.url}`).join(', ')}`);
    const [get, post, put, ct, def, slow] = dev.requests;

    assert.equal(get.method, 'GET');
    assert.equal(get.url, '/base/api/ok?Function=Cut&Input=2', 'base path + cue path, query kept');
    assert.equal(get.headers['x-test'], '1');
    assert.equal(get.body, '', 'GET carries no body');
    assert.ok(!get.headers['content-length'] || get.headers['content-length'] === '0', JSON.stringify(get.headers));
    assert.equal(get.headers.host, `127.0.0.1:${dev.port}`);

    assert.equal(post.method, 'POST');
    assert.equal(post.url, '/base/api/ok');
    assert.match(post.headers['content-type'], /^application\/json\b/);
    assert.deepEqual(JSON.parse(post.body), { a: 1, s: 'é ✓', n: [1, 2] });
    assert.equal(Number(post.headers['content-length']), Buffer.byteLength(post.body), 'content-length counts bytes');

    assert.equal(put.method, 'PUT');
    assert.equal(put.url, '/base/api/created');
    assert.match(put.headers['content-type'], /^text\/plain\b/);
    assert.equal(put.body, 'plain words');

    assert.equal(ct.headers['content-type'], 'application/xml', 'the cue\'s own Content-Type wins');
    assert.equal(ct.body, '<cut input="2"/>');

    assert.equal(def.method, 'GET', 'GET is the default method');
    assert.equal(def.url, '/base/api/empty');
    assert.equal(slow.url, '/base/api/slow');

    for (const id of ids) {
      const a = answers[id];
      checkAnswerRecord(d, a, { cue: id, item: 'h', target: 'vmix', answer: 'ok' });
      if (a.answer_detail != null) assert.match(a.answer_detail, /^HTTP 20[014]\b/, `${id}: ${a.answer_detail}`);
    }
    assert.match(answers['h-get'].answer_detail, /^HTTP 200: OK GET \/base\/api\/ok/);
    assert.match(answers['h-put'].answer_detail, /^HTTP 201: created/);
    assert.ok(answers['h-get'].answer_us < TIMEOUT_MS * 1000, `a quick answer: ${answers['h-get'].answer_us} µs`);
    // answer_us is the round trip: the slow route answers 150 ms after the request.
    assert.ok(answers['h-slow'].answer_us >= 145000 && answers['h-slow'].answer_us < 290000,
      `slow route: answer_us ${answers['h-slow'].answer_us} (want ~150000)`);

    // Every request came over one connection.
    const ports = new Set(dev.requests.map((r) => r.remotePort));
    assert.equal(ports.size, 1, `one keep-alive connection, got remote ports ${[...ports].join(', ')}`);
    assert.equal(dev.requests[0].remoteAddress, '127.0.0.1');

    // The device closes the idle connection (as devices do): the next cue opens a
    // new one, is sent exactly once and answered.
    for (const s of dev.sockets) s.destroy();
    await sleep(150);
    const again = await fireAndAnswer(d, 'h-after-close');
    assert.equal(again.answer, 'ok', JSON.stringify(again));
    assert.equal(dev.requests.length, ids.length + 1, 'the cue after the close reached the device once');
    assert.deepEqual(JSON.parse(dev.requests.at(-1).body), { again: true });
    assert.notEqual(dev.requests.at(-1).remotePort, get.remotePort, 'a new connection');
  } finally {
    await dev.close();
    if (d) await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 2. http: errors, timeouts, closed connections; the state and the as-run exports.

test('http: 404/500 are "error" with the status, no reply is "timeout" after the target\'s timeout, a closed connection is "error"; state, /api/asrun and CSV carry the answers', T, async (t) => {
  const dev = await startHttpDevice();
  const udp = await new UdpReceiver().start();
  const show = rundown({
    items: [{
      id: 'e', title: 'HTTP errors', duration: '2s',
      cues: [
        { id: 'e-404', at: '0', target: 'vmix', http: { path: '/missing' } },
        { id: 'e-500', at: '0', target: 'vmix', http: { method: 'POST', path: '/broken', body: { x: 1 } } },
        { id: 'e-long', at: '0', target: 'vmix', http: { path: '/long' } },
        { id: 'e-hang', at: '0', target: 'vmix', http: { path: '/hang' } },
        { id: 'e-ok', at: '0', target: 'vmix', http: { path: '/ok' } },
        { id: 'e-drop', at: '0', target: 'vmix', http: { method: 'POST', path: '/drop', body: 'once' } },
        { id: 'e-osc', at: '0', target: 'u', osc: { address: '/plain' } },
      ],
    }],
  });
  let d;
  try {
    d = await startDaemon({
      show, targets: { vmix: { url: dev.url(), timeout: `${TIMEOUT_MS}ms` }, u: { url: udp.url } },
    });
    const a404 = await fireAndAnswer(d, 'e-404');
    checkAnswerRecord(d, a404, { cue: 'e-404', item: 'e', target: 'vmix', answer: 'error' });
    assert.match(a404.answer_detail, /^HTTP 404: no such function: \/missing/, a404.answer_detail);

    const a500 = await fireAndAnswer(d, 'e-500');
    checkAnswerRecord(d, a500, { cue: 'e-500', item: 'e', target: 'vmix', answer: 'error' });
    assert.match(a500.answer_detail, /^HTTP 500: internal failure in POST/, a500.answer_detail);

    const long = await fireAndAnswer(d, 'e-long');
    assert.equal(long.answer, 'error');
    assert.ok(long.answer_detail.startsWith('HTTP 500: '), long.answer_detail);
    assert.equal(long.answer_detail.slice('HTTP 500: '.length), 'L'.repeat(256), 'the first 256 bytes of the body');

    // No reply: awaited while it is open, then "timeout" after 300 ms.
    await fire(d, 'e-hang');
    await dev.waitRequests(4);
    const st0 = await d.state();
    const hangNow = stateCue(st0, 'e-hang');
    assert.equal(hangNow.awaits_answer, true, JSON.stringify(hangNow));
    assert.equal(hangNow.answer, null, JSON.stringify(hangNow));
    assert.equal(hangNow.answered, null, JSON.stringify(hangNow));
    const waiting = (await d.get('/api/asrun')).json.find((r) => r.kind === 'cue' && r.cue === 'e-hang');
    assert.ok(waiting && 'answer' in waiting, `/api/asrun's cue record carries "answer" before it comes: ${JSON.stringify(waiting)}`);
    assert.equal(waiting.answer, null);
    assert.equal(waiting.answered, null);
    const hang = (await waitAnswers(d, ['e-hang'], 2000))['e-hang'];
    checkAnswerRecord(d, hang, { cue: 'e-hang', item: 'e', target: 'vmix', answer: 'timeout' });
    assert.ok(hang.answer_us >= (TIMEOUT_MS - 20) * 1000 && hang.answer_us <= (TIMEOUT_MS + 250) * 1000,
      `timeout after ${hang.answer_us} µs (the target's timeout is ${TIMEOUT_MS} ms)`);

    // The hung request does not block the next cue.
    const ok = await fireAndAnswer(d, 'e-ok');
    assert.equal(ok.answer, 'ok', JSON.stringify(ok));

    // The device closes the connection without answering: "error", and a POST is not replayed.
    const drop = await fireAndAnswer(d, 'e-drop');
    checkAnswerRecord(d, drop, { cue: 'e-drop', item: 'e', target: 'vmix', answer: 'error' });
    assert.match(drop.answer_detail, /clos/i, `the detail says the connection closed: ${drop.answer_detail}`);
    await sleep(150);
    assert.equal(dev.requests.filter((r) => r.path === '/drop').length, 1, 'the POST reached the device once');

    t.diagnostic(`timeout detail: ${JSON.stringify(hang.answer_detail)}, after ${hang.answer_us} µs; closed-connection detail: ${JSON.stringify(drop.answer_detail)}`);

    // A device that does not answer (OSC/UDP) has no answer.
    await fire(d, 'e-osc');
    await udp.waitCount(1);
    await sleep(50);

    // The state.
    const st = await d.state();
    const sc = (id) => stateCue(st, id);
    for (const [id, want] of [['e-404', 'error'], ['e-500', 'error'], ['e-long', 'error'], ['e-hang', 'timeout'], ['e-ok', 'ok'], ['e-drop', 'error']]) {
      const c = sc(id);
      assert.equal(c.answer, want, `${id} in state: ${JSON.stringify(c)}`);
      assert.equal(c.awaits_answer, false, JSON.stringify(c));
      assert.ok(Number.isInteger(c.answer_us), JSON.stringify(c));
      assert.ok(Number.isInteger(c.answered) && Math.abs(c.answered - Date.now()) < 10000, `answered is ms wall: ${JSON.stringify(c)}`);
    }
    assert.match(sc('e-404').answer_detail, /HTTP 404/);
    assert.equal(sc('e-osc').answer, null, JSON.stringify(sc('e-osc')));
    assert.equal(sc('e-osc').awaits_answer, false, JSON.stringify(sc('e-osc')));

    const tv = stateTarget(st, 'vmix');
    assert.equal(tv.kind, 'http');
    assert.deepEqual(tv.answers, { ok: 1, error: 4, timeout: 1 }, JSON.stringify(tv));
    assert.ok(tv.last_answer, JSON.stringify(tv));
    assert.equal(tv.last_answer.cue, 'e-drop');
    assert.equal(tv.last_answer.answer, 'error');
    assert.match(tv.last_answer.detail, /clos/i);
    assert.ok(Number.isInteger(tv.last_answer.at) && Math.abs(tv.last_answer.at - Date.now()) < 10000, JSON.stringify(tv.last_answer));
    assert.ok(tv.rtt_us && Number.isInteger(tv.rtt_us.n) && tv.rtt_us.n >= 1, `rtt_us: ${JSON.stringify(tv.rtt_us)}`);
    assert.ok(tv.rtt_us.p50 <= tv.rtt_us.p99, JSON.stringify(tv.rtt_us));
    t.diagnostic(`vmix in the state: answers ${JSON.stringify(tv.answers)}, rtt_us ${JSON.stringify(tv.rtt_us)}`);
    const tu = stateTarget(st, 'u');
    assert.equal(tu.kind, 'osc.udp');
    assert.equal(tu.answers, null, JSON.stringify(tu));
    assert.equal(tu.last_answer, null);
    assert.equal(tu.rtt_us, null);

    // GET /api/asrun: each cue record carries its answer.
    const file = answerRecords(d);
    const json = (await d.get('/api/asrun')).json;
    assert.ok(Array.isArray(json));
    for (const id of ['e-404', 'e-500', 'e-long', 'e-hang', 'e-ok', 'e-drop']) {
      const c = json.find((r) => r.kind === 'cue' && r.cue === id);
      const a = file.find((r) => r.cue === id);
      assert.ok(c, `${id}'s cue record in /api/asrun`);
      assert.equal(c.answer, a.answer, `${id}: ${JSON.stringify(c)}`);
      assert.equal(c.answer_us, a.answer_us, `${id}: ${JSON.stringify(c)}`);
      assert.equal(c.answer_detail, a.answer_detail, `${id}: ${JSON.stringify(c)}`);
      assert.equal(c.answered, a.answered, `${id}: ${JSON.stringify(c)}`);
      assert.ok(json.some((r) => r.kind === 'answer' && r.cue === id && r.cue_seq === c.seq), `${id}'s answer record in /api/asrun`);
    }
    const osc = json.find((r) => r.kind === 'cue' && r.cue === 'e-osc');
    assert.ok(osc, 'e-osc in /api/asrun');
    assert.ok(osc.answer == null && osc.answered == null, JSON.stringify(osc));

    // CSV: the four columns at the end, filled on the cue rows.
    const csv = await d.get('/api/asrun.csv');
    assert.equal(csv.status, 200);
    const rows = parseCsv(csv.text);
    const header = rows[0];
    // The columns of before, unchanged, then the four new ones in the spec's order (the spec says
    // "at the end"; a further column after them is tolerated here and reported).
    const before = ['seq', 'wall', 'kind', 'item', 'cue', 'target', 'cause', 'planned', 'actual', 'scheduled', 'sent',
      'lateness_us', 'outcome', 'cmd', 'args', 'door', 'source', 'ok', 'error', 'rehearsal', 'message'];
    assert.deepEqual(header.slice(0, before.length), before, header.join(','));
    assert.deepEqual(header.slice(before.length, before.length + 4), ['answered', 'answer_us', 'answer', 'answer_detail'], header.join(','));
    const col = Object.fromEntries(header.map((h, i) => [h, i]));
    for (const r of rows.slice(1)) assert.equal(r.length, header.length, `every row has ${header.length} fields: ${r.join(',')}`);
    const csvCue = (id) => rows.find((r) => r[col.kind] === 'cue' && r[col.cue] === id);
    for (const id of ['e-404', 'e-hang', 'e-ok', 'e-drop', 'e-long']) {
      const r = csvCue(id);
      const a = file.find((x) => x.cue === id);
      assert.ok(r, `${id}'s row in the CSV`);
      assert.equal(r[col.answer], a.answer, `${id}: ${r.join(',')}`);
      assert.equal(r[col.answer_us], String(a.answer_us));
      assert.equal(r[col.answer_detail], a.answer_detail ?? '');
      assert.equal(r[col.answered], a.answered);
    }
    const oscRow = csvCue('e-osc');
    assert.ok(oscRow, 'e-osc row');
    assert.deepEqual(['answered', 'answer_us', 'answer', 'answer_detail'].map((h) => oscRow[col[h]]), ['', '', '', ''], 'no answer: empty');
  } finally {
    udp.close();
    await dev.close();
    if (d) await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 3. tcp, "answer": "line", against the AMCP stand-in.

test('tcp/AMCP: commands arrive with CR LF; 202 is "ok", refusals are "error" with the device\'s line; unsolicited lines are not answers; a silent device is "timeout"', T, async () => {
  const caspar = await startAmcpServer({
    silent: /^STOP/,
    unsolicited: '100 SERVER STARTED',
    override: (line) => (line === 'RESTART' ? '500 FAILED\r\n' : undefined),
  });
  const show = rundown({
    items: [{
      id: 't', title: 'Caspar', duration: '2s',
      cues: [
        { id: 't-play', at: '0', target: 'caspar', tcp: 'PLAY 1-10 AMB' },
        { id: 't-missing', at: '0', target: 'caspar', tcp: 'PLAY 1-10 NOSUCHCLIP' },
        { id: 't-channel', at: '0', target: 'caspar', tcp: 'PLAY 9-10 AMB' },
        { id: 't-failed', at: '0', target: 'caspar', tcp: 'RESTART' },
        { id: 't-stop', at: '0', target: 'caspar', tcp: 'STOP 1-10' },
        { id: 't-cg', at: '0', target: 'caspar', tcp: 'CG 1-20 ADD 1 "LOWER-THIRD" 1 "{\\"name\\":\\"Ann\\"}"' },
        { id: 't-after', at: '0', target: 'caspar', tcp: 'LOADBG 1-10 GO1080P25' },
      ],
    }],
  });
  let d;
  try {
    d = await startDaemon({
      show, targets: { caspar: { url: caspar.url, eol: '\r\n', answer: 'line', timeout: `${TIMEOUT_MS}ms` } },
    });
    await caspar.waitConnected();
    await sleep(150); // the greeting line arrives with nothing outstanding

    const play = await fireAndAnswer(d, 't-play');
    await caspar.waitCommands(1);
    assert.equal(caspar.commands[0].raw, 'PLAY 1-10 AMB\r\n', 'the line and its CR LF, nothing else');
    checkAnswerRecord(d, play, { cue: 't-play', item: 't', target: 'caspar', answer: 'ok' });
    assert.equal(play.answer_detail, '202 PLAY OK', 'the greeting was not taken as the answer');
    assert.ok(play.answer_us < TIMEOUT_MS * 1000, `answer_us ${play.answer_us}`);

    const missing = await fireAndAnswer(d, 't-missing');
    checkAnswerRecord(d, missing, { cue: 't-missing', item: 't', target: 'caspar', answer: 'error' });
    assert.equal(missing.answer_detail, '404 PLAY FAILED');
    const channel = await fireAndAnswer(d, 't-channel');
    assert.equal(channel.answer, 'error');
    assert.equal(channel.answer_detail, '401 PLAY ERROR');
    const failed = await fireAndAnswer(d, 't-failed');
    assert.equal(failed.answer, 'error');
    assert.equal(failed.answer_detail, '500 FAILED');

    // An unsolicited line with nothing outstanding is logged, not matched.
    caspar.send('101 CHANNEL 1 STATUS PLAYING');
    await sleep(150);
    const cg = await fireAndAnswer(d, 't-cg');
    assert.equal(cg.answer, 'ok', JSON.stringify(cg));
    assert.equal(cg.answer_detail, '202 CG OK', 'the unsolicited line was not taken as the answer');
    assert.equal(caspar.commands.at(-1).raw, 'CG 1-20 ADD 1 "LOWER-THIRD" 1 "{\\"name\\":\\"Ann\\"}"\r\n', 'the line is sent as written');
    const log = d.stderr + d.stdout;
    assert.match(log, /101 CHANNEL 1 STATUS PLAYING/, `the daemon logs the unsolicited line:\n${log}`);
    assert.match(log, /100 SERVER STARTED/, 'and the greeting');
    assert.ok(!answerRecords(d).some((a) => /STATUS PLAYING|SERVER STARTED/.test(a.answer_detail || '')), 'no answer record holds them');

    // The device says nothing: "timeout" after 300 ms, and the next cue is answered by its own line.
    const stop = await fireAndAnswer(d, 't-stop', 2000);
    checkAnswerRecord(d, stop, { cue: 't-stop', item: 't', target: 'caspar', answer: 'timeout' });
    assert.ok(stop.answer_us >= (TIMEOUT_MS - 20) * 1000 && stop.answer_us <= (TIMEOUT_MS + 250) * 1000, `timeout after ${stop.answer_us} µs`);
    // (The daemon may start a new connection after a timeout; the stand-in greets it,
    // and the greeting must come before the next cue does.)
    await sleep(150);
    const after = await fireAndAnswer(d, 't-after');
    assert.equal(after.answer, 'ok');
    assert.equal(after.answer_detail, '202 LOADBG OK');

    assert.deepEqual(caspar.lines(), ['PLAY 1-10 AMB', 'PLAY 1-10 NOSUCHCLIP', 'PLAY 9-10 AMB', 'RESTART',
      'CG 1-20 ADD 1 "LOWER-THIRD" 1 "{\\"name\\":\\"Ann\\"}"', 'STOP 1-10', 'LOADBG 1-10 GO1080P25']);
    assert.ok(caspar.commands.every((c) => c.crlf), 'every command ends in CR LF');

    const st = await d.state();
    const tc = stateTarget(st, 'caspar');
    assert.equal(tc.kind, 'tcp');
    assert.deepEqual(tc.answers, { ok: 3, error: 3, timeout: 1 }, JSON.stringify(tc));
    assert.equal(tc.last_answer.cue, 't-after');
    assert.equal(tc.last_answer.detail, '202 LOADBG OK');
    assert.equal(stateCue(st, 't-missing').answer_detail, '404 PLAY FAILED');
    assert.equal(stateCue(st, 't-stop').answer, 'timeout');
  } finally {
    await caspar.close();
    if (d) await stopClean(d);
  }
});

test('tcp/AMCP: 201 and 200 multi-line answers are one answer each and do not shift the next cues\' answers, even arriving in pieces', T, async (t) => {
  // Every reply waits 40 ms (so all five commands are outstanding at once) and
  // comes one line per write, 5 ms apart.
  const caspar = await startAmcpServer({ delay: 40, split: 5 });
  const seq = [
    ['m-info', 'INFO', 'ok', '200 INFO OK'],
    ['m-version', 'VERSION', 'ok', '201 VERSION OK'],
    ['m-play', 'PLAY 1-10 AMB', 'ok', '202 PLAY OK'],
    ['m-cls', 'CLS', 'ok', '200 CLS OK'],
    ['m-info1', 'INFO 1', 'ok', '201 INFO OK'],
    ['m-missing', 'PLAY 1-10 NOPE', 'error', '404 PLAY FAILED'],
    ['m-stop', 'STOP 1-10', 'ok', '202 STOP OK'],
  ];
  const show = rundown({
    items: [
      { id: 'm', title: 'All at once', duration: '2s', cues: seq.map(([id, line]) => ({ id, at: '0', target: 'caspar', tcp: line })) },
      { id: 'm2', title: 'Spare', duration: '2s', cues: [{ id: 'm-last', at: '0', target: 'caspar', tcp: 'PLAY 2-10 SPLIT' }] },
    ],
  });
  let d;
  try {
    d = await startDaemon({
      show, targets: { caspar: { url: caspar.url, answer: 'line', timeout: '1s' } },
    });
    await caspar.waitConnected();
    await go(d);
    await caspar.waitCommands(seq.length);
    const answers = await waitAnswers(d, seq.map(([id]) => id), 3000);
    assert.deepEqual(caspar.lines(), seq.map(([, line]) => line), 'sent in rundown order');
    for (const [id, , want, first] of seq) {
      const a = answers[id];
      checkAnswerRecord(d, a, { cue: id, item: 'm', target: 'caspar', answer: want });
      assert.ok(a.answer_detail.startsWith(first), `${id}: detail ${JSON.stringify(a.answer_detail)} should start with ${JSON.stringify(first)}`);
    }
    t.diagnostic(`details: ${seq.map(([id]) => `${id}=${JSON.stringify(answers[id].answer_detail)}`).join(' ')}`);
    // The data lines belong to their answers (in the detail or dropped), never to another cue.
    assert.ok(!/PLAYING|stand-in|MOVIE|<channel>/.test(answers['m-play'].answer_detail), answers['m-play'].answer_detail);
    assert.equal(answerRecords(d).length, seq.length, `one answer per cue:\n${answerRecords(d).map((a) => JSON.stringify(a)).join('\n')}`);
    // After all of that the stream is still in step.
    await sleep(100);
    const last = await fireAndAnswer(d, 'm-last');
    assert.equal(last.answer, 'ok');
    assert.equal(last.answer_detail, '202 PLAY OK');
    const tc = stateTarget(await d.state(), 'caspar');
    assert.deepEqual(tc.answers, { ok: 7, error: 1, timeout: 0 }, JSON.stringify(tc));
  } finally {
    await caspar.close();
    if (d) await stopClean(d);
  }
});

// Real CasparCG 2.x answers a command it cannot parse with "400 ERROR" and then
// echoes the command on a second line (AMCPProtocolStrategy.cpp); the spec lists
// only 200 and 201 as multi-line. The echo must not become the next cue's answer.
test('tcp/AMCP: real CasparCG\'s "400 ERROR" + echoed command line does not shift the next cue\'s answer', T, async () => {
  const caspar = await startAmcpServer({ delay: 30 });
  const show = rundown({
    items: [{
      id: 'b', title: 'Bad command', duration: '2s',
      cues: [
        { id: 'b-bad', at: '0', target: 'caspar', tcp: 'MIXER FILL 1-10 0 0 0.5 0.5' },
        { id: 'b-play', at: '0', target: 'caspar', tcp: 'PLAY 1-10 AMB' },
      ],
    }],
  });
  let d;
  try {
    d = await startDaemon({ show, targets: { caspar: { url: caspar.url, answer: 'line', timeout: '1s' } } });
    await caspar.waitConnected();
    await go(d);
    const answers = await waitAnswers(d, ['b-bad', 'b-play'], 3000);
    assert.equal(caspar.replies[0].reply, '400 ERROR\r\nMIXER FILL 1-10 0 0 0.5 0.5\r\n', 'the stand-in answers as CasparCG does');
    assert.equal(answers['b-bad'].answer, 'error', JSON.stringify(answers['b-bad']));
    assert.ok(answers['b-bad'].answer_detail.startsWith('400 ERROR'), JSON.stringify(answers['b-bad']));
    assert.equal(answers['b-play'].answer_detail, '202 PLAY OK',
      `PLAY's answer should be its own "202 PLAY OK", not the echoed command: ${JSON.stringify(answers['b-play'])}\n${d.stderr}`);
    assert.equal(answers['b-play'].answer, 'ok');
  } finally {
    await caspar.close();
    if (d) await stopClean(d);
  }
});

// A device that answers after the target's timeout still answers that command:
// its late line must not become the answer of the cue sent after it (AMCP has
// one answer per command, in order; without REQ ids there is nothing else to go by).
test('tcp/AMCP: a late answer to a timed-out cue is not taken as the next cue\'s answer', T, async () => {
  const caspar = await startAmcpServer({ delay: (line) => (line === 'PLAY 1-10 AMB' ? TIMEOUT_MS + 150 : 0) });
  const show = rundown({
    items: [{
      id: 'l', title: 'Late', duration: '2s',
      cues: [
        { id: 'l-late', at: '0', target: 'caspar', tcp: 'PLAY 1-10 AMB' },
        { id: 'l-next', at: '0', target: 'caspar', tcp: 'PLAY 1-10 NOSUCHCLIP' },
      ],
    }],
  });
  let d;
  try {
    d = await startDaemon({ show, targets: { caspar: { url: caspar.url, answer: 'line', timeout: `${TIMEOUT_MS}ms` } } });
    await caspar.waitConnected();
    await sleep(100);
    const late = await fireAndAnswer(d, 'l-late', 2000);
    assert.equal(late.answer, 'timeout', JSON.stringify(late));
    // Sent after the timeout, before the late "202 PLAY OK" (due 150 ms after it).
    await fire(d, 'l-next');
    const next = (await waitAnswers(d, ['l-next'], 2000))['l-next'];
    await sleep(200);
    // What the device answered, command by command (the daemon may have sent the
    // second on a new connection, so the two replies may leave in either order).
    const replied = Object.fromEntries(caspar.replies.map((r) => [r.line, r.reply]));
    assert.deepEqual(replied, { 'PLAY 1-10 AMB': '202 PLAY OK\r\n', 'PLAY 1-10 NOSUCHCLIP': '404 PLAY FAILED\r\n' }, 'what the device answered');
    assert.equal(next.answer, 'error', `PLAY of a missing clip must not be reported by the late "202 PLAY OK" of the cue before: ${JSON.stringify(next)}\n${d.stderr}`);
    assert.equal(next.answer_detail, '404 PLAY FAILED');
  } finally {
    await caspar.close();
    if (d) await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 4. ws, "answer": "message".

test('ws: with "answer": "message" the device\'s reply is the answer ("ok", the reply as detail); on SIGTERM the device gets close code 1001', T, async () => {
  const port = await freePort();
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  const got = [];
  const closes = [];
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const text = data.toString();
      got.push({ text, at: Date.now() });
      const reply = text === 'big' ? 'B'.repeat(1000) : `ack:${text}`;
      setTimeout(() => ws.send(reply), text === 'slow' ? 120 : 0);
    });
    ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString(), at: Date.now() }));
  });
  await new Promise((r) => wss.on('listening', r));
  const show = rundown({
    items: [{
      id: 'w', title: 'Graphics', duration: '2s',
      cues: [
        { id: 'w-text', at: '0', target: 'gfx', ws: 'hello' },
        { id: 'w-json', at: '0', target: 'gfx', ws: { page: 'lower', name: 'Ann' } },
        { id: 'w-slow', at: '0', target: 'gfx', ws: 'slow' },
        { id: 'w-big', at: '0', target: 'gfx', ws: 'big' },
      ],
    }],
  });
  let d;
  let stopped = false;
  try {
    d = await startDaemon({ show, targets: { gfx: { url: `ws://127.0.0.1:${port}/`, answer: 'message', timeout: '1s' } } });
    await waitFor(() => wss.clients.size === 1, 3000, 'the daemon to connect to the ws device');
    const text = await fireAndAnswer(d, 'w-text');
    checkAnswerRecord(d, text, { cue: 'w-text', item: 'w', target: 'gfx', answer: 'ok' });
    assert.equal(text.answer_detail, 'ack:hello');
    const json = await fireAndAnswer(d, 'w-json');
    assert.deepEqual(JSON.parse(got[1].text), { page: 'lower', name: 'Ann' });
    assert.equal(json.answer, 'ok');
    assert.equal(json.answer_detail, `ack:${got[1].text}`);
    const slow = await fireAndAnswer(d, 'w-slow');
    assert.equal(slow.answer_detail, 'ack:slow');
    assert.ok(slow.answer_us >= 115000 && slow.answer_us < 600000, `answer_us ${slow.answer_us} (the reply came 120 ms later)`);
    const big = await fireAndAnswer(d, 'w-big');
    assert.equal(big.answer_detail, 'B'.repeat(256), 'the first 256 bytes');

    const st = await d.state();
    const tg = stateTarget(st, 'gfx');
    assert.equal(tg.kind, 'ws');
    assert.deepEqual(tg.answers, { ok: 4, error: 0, timeout: 0 }, JSON.stringify(tg));
    assert.equal(tg.last_answer.cue, 'w-big');
    assert.equal(stateCue(st, 'w-text').answer_detail, 'ack:hello');

    // Shutdown: a close frame with 1001 (going away), before the daemon exits.
    const ex = await d.stop();
    stopped = true;
    await waitFor(() => closes.length === 1, 2000, 'the ws device to see the close');
    assert.equal(closes[0].code, 1001, `close code ${closes[0].code} (1006 means no close frame was sent)`);
    assert.equal(ex.code, 0, d.stderr);
    assert.match(d.stderr, /stopped cleanly/);
  } finally {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
    if (stopped) d.cleanup(); else if (d) await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 5. --check: payloads that do not fit their target, and misspelt http fields.

test('--check: a payload kind that does not match the target\'s kind, and an unknown http field with "did you mean", by JSON path', T, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'showcaller-check-'));
  try {
    const config = {
      http: { listen: '127.0.0.1:18099' },
      data_dir: join(dir, 'data'),
      targets: {
        vmix: { url: 'http://127.0.0.1:8088/base', timeout: '500ms' },
        caspar: { url: 'tcp://127.0.0.1:5250', eol: '\r\n', answer: 'line', timeout: '1s' },
        gfx: { url: 'ws://127.0.0.1:9002/', answer: 'message' },
        u: { url: 'osc.udp://127.0.0.1:9001' },
      },
    };
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(config));

    // A valid rundown with every new payload kind: exit 0, no errors.
    const good = rundown({
      items: [{
        id: 'g', title: 'Good', duration: '10s',
        cues: [
          { id: 'g-http', at: '0', target: 'vmix', http: { method: 'POST', path: '/api/?Function=Cut', headers: { 'X-Test': '1' }, body: { a: 1 } } },
          { id: 'g-get', at: '1s', target: 'vmix', http: { path: '/api/?Function=Fade' } },
          { id: 'g-tcp', at: '2s', target: 'caspar', tcp: 'PLAY 1-10 AMB' },
          { id: 'g-ws', at: '3s', target: 'gfx', ws: { page: 'x' } },
        ],
      }],
    });
    const goodPath = join(dir, 'good.json');
    writeFileSync(goodPath, JSON.stringify(good));
    const ok = await check([goodPath, '--config', configPath, '--json']);
    assert.equal(ok.code, 0, `a valid rundown passes:\n${ok.stdout}\n${ok.stderr}`);
    const okj = JSON.parse(ok.stdout);
    assert.equal(okj.valid, true);
    assert.deepEqual(okj.errors, []);

    const bad = rundown({
      items: [{
        id: 'b', title: 'Bad', duration: '10s',
        cues: [
          { id: 'b0', at: '0', target: 'vmix', tcp: 'PLAY 1-10 AMB' },                 // tcp payload, http target
          { id: 'b1', at: '0', target: 'caspar', http: { path: '/x' } },               // http payload, tcp target
          { id: 'b2', at: '0', target: 'vmix', http: { methd: 'POST', path: '/x' } },  // misspelt field
          { id: 'b3', at: '0', target: 'u', http: { path: '/x' } },                    // http payload, OSC target
          { id: 'b4', at: '0', target: 'vmix', http: { path: '/x', hedaers: { A: 'b' } } },
        ],
      }],
    });
    const badPath = join(dir, 'bad.json');
    writeFileSync(badPath, JSON.stringify(bad));

    const r = await check([badPath, '--config', configPath, '--json']);
    assert.equal(r.code, 1, `--check exits 1:\n${r.stdout}\n${r.stderr}`);
    const j = JSON.parse(r.stdout);
    assert.equal(j.valid, false);
    const at = (path) => j.errors.filter((e) => e.path === path || e.path.startsWith(`${path}.`));
    const says = (path, ...words) => {
      const es = at(path);
      assert.ok(es.length >= 1, `an error at ${path}: ${JSON.stringify(j.errors, null, 1)}`);
      assert.ok(es.some((e) => words.every((w) => e.message.includes(w))),
        `an error at ${path} mentioning ${words.join(', ')}: ${JSON.stringify(es)}`);
    };
    says('items[0].cues[0]', 'vmix', 'http', 'tcp');
    says('items[0].cues[1]', 'caspar', 'tcp', 'http');
    says('items[0].cues[3]', '"u"', 'osc', 'http');
    const methd = j.errors.find((e) => e.path === 'items[0].cues[2].http.methd');
    assert.ok(methd, `the misspelt field by its path: ${JSON.stringify(j.errors, null, 1)}`);
    assert.match(methd.message, /methd/);
    assert.match(methd.message, /did you mean "method"/);
    const hed = j.errors.find((e) => e.path === 'items[0].cues[4].http.hedaers');
    assert.ok(hed, `the misspelt field by its path: ${JSON.stringify(j.errors, null, 1)}`);
    assert.match(hed.message, /did you mean "headers"/);

    // The same in text form, on stderr.
    const t = await check([badPath, '--config', configPath]);
    assert.equal(t.code, 1);
    assert.match(t.stderr, /items\[0\]\.cues\[2\]\.http\.methd: .*did you mean "method"/);
    assert.match(t.stderr, /items\[0\]\.cues\[0\]: .*vmix/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
