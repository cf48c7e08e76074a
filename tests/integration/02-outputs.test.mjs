// Outputs: what devices receive. OSC over UDP byte-exact for every type tag,
// OSC over TCP in both framings (checked by osc.js too), websocket texts,
// reconnection after a device goes away, send order, latency compensation,
// and the as-run log agreeing with what the devices saw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, assertAcked, rundown, sleep } from './lib/daemon.mjs';
import { UdpReceiver, TcpReceiver, WsReceiver } from './lib/peers.mjs';
import {
  oscBytes, oscDecode, typeTags, long, rawJson, waitTargetState, waitCueRecords, cueRecords,
  isoToUs, OscJsTcpReceiver, RawTcpReceiver, stopClean,
} from './lib/outputs-helpers.mjs';

const GO_GUARD_MS = 300; // lib/daemon.mjs's config
const T = { timeout: 20000 };

// Fires a cue over HTTP; the command itself is accepted even when the device is down.
async function fire(d, cue) {
  const r = await d.api('fire', { cue });
  assert.equal(r.status, 200, `fire ${cue}: ${JSON.stringify(r.body)}`);
  assertAcked(r.body);
}

async function go(d) {
  const r = await d.api('go');
  assert.equal(r.status, 200, `go: ${JSON.stringify(r.body)}`);
}

// ---------------------------------------------------------------------------
// 1. Every OSC argument type, byte-exact over UDP.

const BLOB = [0, 1, 2, 0xc0, 0xdb, 0xdc, 0xdd, 255, 7]; // 9 bytes: padding, and SLIP's specials

test('every OSC type tag arrives byte-exact over UDP, typed and inferred', T, async () => {
  const rx = await new UdpReceiver().start();
  const show = rundown({
    items: [
      {
        id: 'all', title: 'All types', duration: '30s',
        cues: [
          {
            id: 'typed', at: '0', target: 'u',
            osc: {
              address: '/types/all', types: 'ihfdsScTFNImb',
              args: [-2147483648, '@@H1@@', 3.14159, 2.718281828459045, 'héllo wörld ✓', 'sym',
                'A', true, false, null, null, [1, 0x90, 60, 127], BLOB],
            },
          },
        ],
      },
      {
        id: 'edges', title: 'Edges', duration: '30s',
        cues: [
          {
            id: 'typed-edges', at: '0', target: 'u',
            // A leading ',' is allowed; extremes of h, c as a number, empty blob and string.
            osc: {
              address: '/types/edges', types: ',hhcbsdfi',
              args: ['@@HMAX@@', '@@HMIN@@', 200, [], '', '@@NEGZERO@@', 0.1, 2147483647],
            },
          },
          {
            id: 'inferred', at: '0', target: 'u',
            // No types: i, h (does not fit 32 bits), f, s, T, F, N; a JSON real written
            // with a zero fraction ("1.0", "0.0": a fader level) is still f.
            osc: {
              address: '/types/inferred',
              args: [7, 5000000000, 1.5, 'text', true, false, null, '@@ONE@@', '@@ZERO@@', -2147483649],
            },
          },
          { id: 'noargs', at: '0', target: 'u', osc: { address: '/atem/cut' } },
        ],
      },
    ],
  });
  const text = rawJson(show, {
    H1: '9007199254740993', HMAX: '9223372036854775807', HMIN: '-9223372036854775808',
    NEGZERO: '-0.0', ONE: '1.0', ZERO: '0.0',
  });
  const d = await new Daemon({ show: text, targets: { u: { url: rx.url } } }).start();
  try {
    const expected = {
      '/types/all': oscBytes('/types/all', [
        { type: 'i', value: -2147483648 }, { type: 'h', value: long('9007199254740993') },
        { type: 'f', value: 3.14159 }, { type: 'd', value: 2.718281828459045 },
        { type: 's', value: 'héllo wörld ✓' }, { type: 'S', value: 'sym' }, { type: 'c', value: 'A' },
        { type: 'T', value: true }, { type: 'F', value: false }, { type: 'N', value: null },
        { type: 'I', value: null }, { type: 'm', value: [1, 0x90, 60, 127] },
        { type: 'b', value: new Uint8Array(BLOB) },
      ]),
      '/types/edges': oscBytes('/types/edges', [
        { type: 'h', value: long('9223372036854775807') }, { type: 'h', value: long('-9223372036854775808') },
        { type: 'c', value: String.fromCharCode(200) }, { type: 'b', value: new Uint8Array(0) },
        { type: 's', value: '' }, { type: 'd', value: -0 }, { type: 'f', value: 0.1 },
        { type: 'i', value: 2147483647 },
      ]),
      '/types/inferred': oscBytes('/types/inferred', [
        { type: 'i', value: 7 }, { type: 'h', value: long('5000000000') }, { type: 'f', value: 1.5 },
        { type: 's', value: 'text' }, { type: 'T', value: true }, { type: 'F', value: false },
        { type: 'N', value: null }, { type: 'f', value: 1 }, { type: 'f', value: 0 },
        { type: 'h', value: long('-2147483649') },
      ]),
      '/atem/cut': oscBytes('/atem/cut', []),
    };

    await fire(d, 'typed');             // fire
    await rx.waitCount(1);
    await go(d);                        // GO on 'all' fires 'typed' again, at its start
    await rx.waitCount(2);
    await sleep(GO_GUARD_MS + 50);
    await go(d);                        // GO on 'edges': three cues at 0
    await rx.waitCount(5);
    await sleep(100);
    assert.equal(rx.messages.length, 5, 'no extra datagrams');

    assert.deepEqual(rx.addresses(), ['/types/all', '/types/all', '/types/edges', '/types/inferred', '/atem/cut']);
    for (const m of rx.messages) {
      const want = expected[m.msg.address];
      assert.equal(m.bytes.toString('hex'), want.toString('hex'), `bytes of ${m.msg.address}`);
    }

    // And decoded by osc.js: the types and values are what the rundown says.
    const all = oscDecode(rx.messages[0].bytes);
    assert.equal(typeTags(all), 'ihfdsScTFNImb');
    const v = all.args.map((a) => a.value);
    assert.equal(v[0], -2147483648);
    assert.equal(v[1].toString(), '9007199254740993');
    assert.equal(v[2], Math.fround(3.14159));
    assert.equal(v[3], 2.718281828459045);
    assert.equal(v[4], 'héllo wörld ✓');
    assert.equal(v[5], 'sym');
    assert.equal(v[6], 'A');
    assert.deepEqual(v.slice(7, 10), [true, false, null]);
    assert.deepEqual([...v[11]], [1, 0x90, 60, 127]);
    assert.deepEqual([...v[12]], BLOB);

    const edges = oscDecode(rx.messages[2].bytes);
    assert.equal(typeTags(edges), 'hhcbsdfi');
    assert.equal(edges.args[0].value.toString(), '9223372036854775807');
    assert.equal(edges.args[1].value.toString(), '-9223372036854775808');
    assert.equal(edges.args[2].value.charCodeAt(0), 200);
    assert.equal(edges.args[3].value.length, 0);
    assert.equal(edges.args[4].value, '');
    assert.ok(Object.is(edges.args[5].value, -0), 'd -0.0 keeps its sign');

    const inf = oscDecode(rx.messages[3].bytes);
    assert.equal(typeTags(inf), 'ihfsTFNffh');
    assert.equal(inf.args[1].value.toString(), '5000000000');
    assert.equal(inf.args[9].value.toString(), '-2147483649');

    const cut = oscDecode(rx.messages[4].bytes);
    assert.equal(typeTags(cut), '');
    assert.equal(rx.messages[4].bytes.length, 16, '"/atem/cut" padded, then "," padded');
  } finally {
    rx.close();
    await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 2. OSC over TCP, both framings, and a device that goes away and comes back.

// Five messages per target, each naming its target and number; blobs with SLIP's specials.
function tcpCues(targetName, at, tag) {
  return [1, 2, 3, 4, 5].map((n) => ({
    id: `${targetName}-${tag}-${n}`, at, target: targetName,
    osc: {
      address: `/${targetName}/${tag}/${n}`, types: 'isbf',
      args: [n, `${tag} ${n} ✓`, [0xc0, n, 0xdb, 0xdc, 0xdd, 0xc0], n / 4],
    },
  }));
}
function tcpExpected(targetName, tag, n) {
  return oscBytes(`/${targetName}/${tag}/${n}`, [
    { type: 'i', value: n }, { type: 's', value: `${tag} ${n} ✓` },
    { type: 'b', value: new Uint8Array([0xc0, n, 0xdb, 0xdc, 0xdd, 0xc0]) }, { type: 'f', value: n / 4 },
  ]);
}
// Interleaves the targets' cues: a, b, c, a, b, c, ...
const interleave = (...lists) => lists[0].flatMap((_, i) => lists.map((l) => l[i]));

test('OSC over TCP: length and SLIP framing arrive intact and in order; a device that goes away is down, its cues fail, and it reconnects', { timeout: 30000 }, async (tt) => {
  const rxL = await new TcpReceiver('length').start();
  const rxS = await new TcpReceiver('slip').start();
  const rxJ = await new OscJsTcpReceiver().start();
  const rxU = await new UdpReceiver().start();
  const portL = rxL.port;
  const show = rundown({
    items: [
      { id: 'now', title: 'At GO', duration: '30s', cues: interleave(tcpCues('tl', '0', 'now'), tcpCues('ts', '0', 'now'), tcpCues('tj', '0', 'now')) },
      // Clock-sent: 100 ms after the start.
      { id: 'later', title: 'Clock', duration: '30s', cues: interleave(tcpCues('tl', '100ms', 'later'), tcpCues('ts', '100ms', 'later'), tcpCues('tj', '100ms', 'later')) },
      {
        id: 'down', title: 'While down', duration: '30s',
        cues: [
          { id: 'tl-down-sched', at: '100ms', target: 'tl', osc: { address: '/tl/down/sched' } },
          { id: 'ts-down-sched', at: '100ms', target: 'ts', osc: { address: '/ts/down/sched' } },
          { id: 'u-down-sched', at: '100ms', target: 'u', osc: { address: '/u/down/sched' } },
        ],
      },
      {
        id: 'spare', title: 'Fired by hand', duration: '30s',
        cues: [
          { id: 'tl-down-fire', at: '0', target: 'tl', osc: { address: '/tl/down/fire', args: [1] } },
          { id: 'ts-down-fire', at: '0', target: 'ts', osc: { address: '/ts/down/fire', args: [1] } },
          { id: 'tj-down-fire', at: '0', target: 'tj', osc: { address: '/tj/down/fire', args: [1] } },
          { id: 'u-down-fire', at: '0', target: 'u', osc: { address: '/u/down/fire', args: [1] } },
          { id: 'tl-back', at: '0', target: 'tl', osc: { address: '/tl/back', args: ['again'] } },
        ],
      },
    ],
  });
  const d = await new Daemon({
    show,
    targets: {
      tl: { url: rxL.url, framing: 'length' },
      ts: { url: rxS.url, framing: 'slip' },
      tj: { url: rxJ.url, framing: 'slip' },
      u: { url: rxU.url },
    },
  }).start();
  let rxL2 = null;
  try {
    for (const t of ['tl', 'ts', 'tj']) await waitTargetState(d, t, 'connected', 3000);

    await go(d);
    for (const rx of [rxL, rxS, rxJ]) await rx.waitCount(5);
    await sleep(GO_GUARD_MS + 50);
    await go(d);
    for (const rx of [rxL, rxS, rxJ]) await rx.waitCount(10);
    await sleep(100);

    const order = [...['now', 'later'].flatMap((tag) => [1, 2, 3, 4, 5].map((n) => [tag, n]))];
    for (const [rx, name] of [[rxL, 'tl'], [rxS, 'ts']]) {
      assert.equal(rx.messages.length, 10, `${name}: exactly 10 messages`);
      assert.equal(rx.connections, 1, `${name}: one connection`);
      rx.messages.forEach((m, i) => {
        const [tag, n] = order[i];
        assert.equal(m.bytes.toString('hex'), tcpExpected(name, tag, n).toString('hex'), `${name} message ${i}`);
      });
    }
    // osc.js decodes the SLIP stream itself.
    assert.equal(rxJ.errors.length, 0, `osc.js errors: ${rxJ.errors.join('; ')}`);
    assert.equal(rxJ.messages.length, 10);
    rxJ.messages.forEach((m, i) => {
      const [tag, n] = order[i];
      assert.equal(m.msg.address, `/tj/${tag}/${n}`);
      assert.equal(typeTags(m.msg), 'isbf');
      assert.equal(m.msg.args[0].value, n);
      assert.equal(m.msg.args[1].value, `${tag} ${n} ✓`);
      assert.deepEqual([...m.msg.args[2].value], [0xc0, n, 0xdb, 0xdc, 0xdd, 0xc0]);
      assert.equal(m.msg.args[3].value, n / 4);
    });

    // The length-framed device goes away.
    await rxL.close();
    await waitTargetState(d, 'tl', 'down', 3000);
    const downAt = Date.now();
    for (const t of ['ts', 'tj']) await waitTargetState(d, t, 'connected', 100);

    // A scheduled cue and fired cues while it is down: tl's fail, the others' go out.
    await sleep(GO_GUARD_MS + 50);
    await go(d); // 'down': its cues leave 100 ms after the GO
    await waitCueRecords(d, ['tl-down-sched', 'ts-down-sched', 'u-down-sched']);
    for (const c of ['tl-down-fire', 'ts-down-fire', 'tj-down-fire', 'u-down-fire']) await fire(d, c);
    const recs = await waitCueRecords(d, ['tl-down-sched', 'ts-down-sched', 'u-down-sched',
      'tl-down-fire', 'ts-down-fire', 'tj-down-fire', 'u-down-fire']);
    assert.equal(recs['tl-down-sched'].outcome, 'failed', JSON.stringify(recs['tl-down-sched']));
    assert.equal(recs['tl-down-fire'].outcome, 'failed', JSON.stringify(recs['tl-down-fire']));
    for (const id of ['tl-down-sched', 'tl-down-fire']) {
      assert.equal(recs[id].target, 'tl');
      assert.equal(recs[id].sent, null);
      assert.equal(recs[id].lateness_us, null);
      assert.equal(typeof recs[id].error, 'string', `${id} says why it failed`);
    }
    for (const id of ['ts-down-sched', 'u-down-sched', 'ts-down-fire', 'tj-down-fire', 'u-down-fire'])
      assert.equal(recs[id].outcome, 'sent', `${id}: ${JSON.stringify(recs[id])}`);
    await rxS.waitCount(12);
    await rxJ.waitCount(11);
    await rxU.waitCount(2);
    assert.deepEqual(rxS.messages.slice(10).map((m) => m.msg.address), ['/ts/down/sched', '/ts/down/fire']);
    assert.equal(rxJ.messages[10].msg.address, '/tj/down/fire');
    assert.deepEqual(rxU.addresses(), ['/u/down/sched', '/u/down/fire']);
    const st = await d.state();
    const tl = st.targets.find((t) => t.name === 'tl');
    assert.ok(tl.failed >= 2, `tl counts its failures: ${JSON.stringify(tl)}`);

    // Long enough down for the backoff to reach its 2 s cap (250+500+1000+2000 ms).
    const wait = 4000 - (Date.now() - downAt);
    if (wait > 0) await sleep(wait);
    assert.notEqual((await d.state()).targets.find((t) => t.name === 'tl').state, 'connected');

    // It comes back on the same port: connected within the capped backoff.
    rxL2 = await new TcpReceiver('length').start(portL);
    const took = await waitTargetState(d, 'tl', 'connected', 4000);
    tt.diagnostic(`tcp: reconnected ${took} ms after the device came back`);
    assert.ok(took <= 2700, `reconnected ${took} ms after the device came back (backoff is capped at 2 s)`);
    await fire(d, 'tl-back');
    await rxL2.waitCount(1);
    assert.equal(rxL2.messages[0].bytes.toString('hex'), oscBytes('/tl/back', [{ type: 's', value: 'again' }]).toString('hex'));
    const back = await waitCueRecords(d, ['tl-back']);
    assert.equal(back['tl-back'].outcome, 'sent');
    await sleep(100);
    assert.equal(rxL2.messages.length, 1, 'nothing failed is replayed on reconnection');
  } finally {
    await rxL.close(); // again, if the test stopped before it went away
    await rxL2?.close();
    await rxS.close();
    await rxJ.close();
    rxU.close();
    await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 3. Websocket targets.

const WS_OBJECT_TEXT = '{"z":1,"action":"play","a":{"y":[1,2.5,"x",null,false],"b":{}},"template":"lower third \\"é✓\\"\\n/path","m":true,"n":-7}';

test('websocket target: strings as text, JSON compact in written key order; down and back; a cue while down fails', { timeout: 30000 }, async (tt) => {
  const rx = await new WsReceiver().start();
  const port = rx.port;
  const show = rundown({
    items: [
      {
        id: 'gfx', title: 'Graphics', duration: '30s',
        cues: [
          { id: 'w-text', at: '0', target: 'w', ws: 'PLAY bug {not json} ✓' },
          { id: 'w-obj', at: '0', target: 'w', ws: '@@OBJ@@' },
          { id: 'w-arr', at: '50ms', target: 'w', ws: [1, 'two', { three: 3 }] },
          { id: 'w-num', at: '60ms', target: 'w', ws: 42 },
          { id: 'w-strjson', at: '70ms', target: 'w', ws: '{"a": 1}' },
        ],
      },
      {
        id: 'down', title: 'While down', duration: '30s',
        cues: [
          { id: 'w-down-sched', at: '100ms', target: 'w', ws: 'scheduled while down' },
          { id: 'u-down-sched', at: '100ms', target: 'u', osc: { address: '/u/down' } },
        ],
      },
      {
        id: 'spare', title: 'By hand', duration: '30s',
        cues: [
          { id: 'w-down-fire', at: '0', target: 'w', ws: 'fired while down' },
          { id: 'w-back', at: '0', target: 'w', ws: { back: true } },
        ],
      },
    ],
  });
  const rxU = await new UdpReceiver().start();
  const d = await new Daemon({
    show: rawJson(show, { OBJ: WS_OBJECT_TEXT }), targets: { w: { url: rx.url }, u: { url: rxU.url } },
  }).start();
  let rx2 = null;
  try {
    await waitTargetState(d, 'w', 'connected', 3000);
    await go(d);
    await rx.waitCount(5);
    await sleep(100);
    assert.deepEqual(rx.messages.map((m) => m.text), [
      'PLAY bug {not json} ✓',
      WS_OBJECT_TEXT,
      '[1,"two",{"three":3}]',
      '42',
      '{"a": 1}',
    ]);
    assert.equal(rx.connections, 1);

    await rx.close();
    await waitTargetState(d, 'w', 'down', 3000);
    const downAt = Date.now();
    await sleep(GO_GUARD_MS);
    await go(d); // 'down'
    await fire(d, 'w-down-fire');
    const recs = await waitCueRecords(d, ['w-down-sched', 'u-down-sched', 'w-down-fire']);
    for (const id of ['w-down-sched', 'w-down-fire']) {
      assert.equal(recs[id].outcome, 'failed', `${id}: ${JSON.stringify(recs[id])}`);
      assert.equal(recs[id].target, 'w');
      assert.equal(typeof recs[id].error, 'string');
    }
    assert.equal(recs['u-down-sched'].outcome, 'sent');
    await rxU.waitCount(1);

    // Long enough down for the backoff to reach its 2 s cap, then back on the same port.
    const wait = 4000 - (Date.now() - downAt);
    if (wait > 0) await sleep(wait);
    assert.notEqual((await d.state()).targets.find((t) => t.name === 'w').state, 'connected');
    rx2 = await new WsReceiver().start(port);
    const took = await waitTargetState(d, 'w', 'connected', 4000);
    tt.diagnostic(`ws: reconnected ${took} ms after the device came back`);
    assert.ok(took <= 2700, `reconnected ${took} ms after the device came back (backoff is capped at 2 s)`);
    await fire(d, 'w-back');
    await rx2.waitCount(1);
    assert.equal(rx2.messages[0].text, '{"back":true}');
    assert.equal((await waitCueRecords(d, ['w-back']))['w-back'].outcome, 'sent');
    await sleep(100);
    assert.equal(rx2.messages.length, 1, 'nothing failed is replayed on reconnection');
  } finally {
    await rx.close();
    await rx2?.close();
    rxU.close();
    await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 4. Cues at the same instant leave in rundown order.

test('cues at the same instant leave back to back in rundown order; one target never reorders', T, async () => {
  const u = await new UdpReceiver().start();
  const v = await new UdpReceiver().start();
  const same = (tag, at) => interleave(
    ['c', 'a', 'e', 'b', 'd'].map((x) => ({ id: `u-${tag}-${x}`, at, target: 'u', osc: { address: `/${tag}/${x}` } })),
    ['3', '1', '5', '2', '4'].map((x) => ({ id: `v-${tag}-${x}`, at, target: 'v', osc: { address: `/${tag}/${x}` } })),
  );
  // The same for a websocket and an OSC/TCP target, interleaved with the others.
  const w = await new WsReceiver().start();
  const t = await new TcpReceiver('length').start();
  const sameAll = (tag, at) => interleave(
    same(tag, at).filter((c) => c.target === 'u').slice(0, 5),
    ['c', 'a', 'e', 'b', 'd'].map((x) => ({ id: `w-${tag}-${x}`, at, target: 'w', ws: `${tag}/${x}` })),
    ['c', 'a', 'e', 'b', 'd'].map((x) => ({ id: `t-${tag}-${x}`, at, target: 't', osc: { address: `/${tag}/${x}` } })),
    same(tag, at).filter((c) => c.target === 'v'),
  );
  const show = rundown({
    items: [
      { id: 'go0', title: 'At GO', duration: '30s', cues: sameAll('go0', '0') },
      { id: 'later', title: 'Clock', duration: '400ms', cues: sameAll('later', '150ms') },
      { id: 'follow', title: 'Follows', start: 'follow', duration: '30s', cues: sameAll('follow', '0') },
    ],
  });
  const d = await new Daemon({
    show, targets: { u: { url: u.url }, v: { url: v.url }, w: { url: w.url }, t: { url: t.url } },
  }).start();
  try {
    await waitTargetState(d, 'w', 'connected');
    await waitTargetState(d, 't', 'connected');
    await go(d);
    await u.waitCount(5);
    await v.waitCount(5);
    await sleep(GO_GUARD_MS + 50);
    await go(d); // 'later'; 'follow' starts by itself 400 ms on
    await u.waitCount(15, 3000);
    await v.waitCount(15, 3000);
    await sleep(100);
    const want = (tag, xs) => xs.map((x) => `/${tag}/${x}`);
    assert.deepEqual(u.addresses(), ['go0', 'later', 'follow'].flatMap((t) => want(t, ['c', 'a', 'e', 'b', 'd'])));
    assert.deepEqual(v.addresses(), ['go0', 'later', 'follow'].flatMap((t) => want(t, ['3', '1', '5', '2', '4'])));
    await w.waitCount(15);
    await t.waitCount(15);
    assert.deepEqual(w.messages.map((m) => m.text), ['go0', 'later', 'follow'].flatMap((g) => ['c', 'a', 'e', 'b', 'd'].map((x) => `${g}/${x}`)));
    assert.deepEqual(t.messages.map((m) => m.msg.address), ['go0', 'later', 'follow'].flatMap((g) => want(g, ['c', 'a', 'e', 'b', 'd'])));
    // Back to back: each group of five arrives within a few ms.
    for (const rx of [u, v]) {
      for (let g = 0; g < 3; g++) {
        const grp = rx.messages.slice(g * 5, g * 5 + 5);
        assert.ok(grp[4].at - grp[0].at <= 30, `group ${g} spread ${grp[4].at - grp[0].at} ms`);
      }
    }
    // The as-run log keeps the same order.
    const logged = cueRecords(d).filter((r) => r.target === 'u').map((r) => r.cue);
    assert.deepEqual(logged, ['go0', 'later', 'follow'].flatMap((t) => ['c', 'a', 'e', 'b', 'd'].map((x) => `u-${t}-${x}`)));
  } finally {
    u.close();
    v.close();
    await w.close();
    await t.close();
    await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 5. Latency compensation.

test('a target with 200 ms latency gets its cue about 200 ms before a 0-latency target', T, async () => {
  const fast = await new UdpReceiver().start();
  const slow = await new UdpReceiver().start();
  const show = rundown({
    items: [
      {
        id: 'lat', title: 'Latency', duration: '1s',
        cues: [
          // The fast one is written first: the slow one must still leave first.
          { id: 'fast-0', at: '0', target: 'fast', osc: { address: '/fast/0' } },
          { id: 'slow-0', at: '0', target: 'slow', osc: { address: '/slow/0' } },
          { id: 'fast-1', at: '700ms', target: 'fast', osc: { address: '/fast/1' } },
          { id: 'slow-1', at: '700ms', target: 'slow', osc: { address: '/slow/1' } },
        ],
      },
      {
        // A follow item's start is known in advance: the slow target's cue leaves before it.
        id: 'lat-follow', title: 'Follows', start: 'follow', duration: '30s',
        cues: [
          { id: 'fast-2', at: '0', target: 'fast', osc: { address: '/fast/2' } },
          { id: 'slow-2', at: '0', target: 'slow', osc: { address: '/slow/2' } },
        ],
      },
    ],
  });
  const d = await new Daemon({
    show, targets: { fast: { url: fast.url, latency: '0ms' }, slow: { url: slow.url, latency: '200ms' } },
  }).start();
  try {
    await go(d);
    await fast.waitCount(3, 3000);
    await slow.waitCount(3, 3000);
    for (const n of [0, 1, 2]) {
      const dt = fast.messages[n].at - slow.messages[n].at;
      assert.ok(dt >= 150 && dt <= 250, `cue ${n}: the slow target got it ${dt} ms earlier (want ~200)`);
    }
    assert.deepEqual(fast.addresses(), ['/fast/0', '/fast/1', '/fast/2']);
    assert.deepEqual(slow.addresses(), ['/slow/0', '/slow/1', '/slow/2']);
    // The schedule itself is exact: 200 ms apart for the same instant.
    const recs = await waitCueRecords(d, ['fast-0', 'slow-0', 'fast-1', 'slow-1', 'fast-2', 'slow-2']);
    for (const n of [0, 1, 2]) {
      const diff = isoToUs(recs[`fast-${n}`].scheduled) - isoToUs(recs[`slow-${n}`].scheduled);
      assert.ok(Math.abs(diff - 200000) <= 2, `scheduled ${diff} µs apart`);
    }
    // The item itself starts when the 0-latency cue is due.
    const start = d.asrun().find((r) => r.kind === 'item_start' && r.item === 'lat');
    assert.ok(start, 'item_start logged');
    assert.ok(Math.abs(isoToUs(start.actual) - isoToUs(recs['fast-0'].scheduled)) <= 2, 'the item starts when its 0-latency cue is due');
  } finally {
    fast.close();
    slow.close();
    await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 6. The as-run log agrees with what the devices saw.

test('as-run cue records match what the devices received: sent, target, item, integer lateness', T, async () => {
  const u = await new UdpReceiver().start();
  const t = await new TcpReceiver('length').start();
  const w = await new WsReceiver().start();
  const cue = (id, at, target) => (target === 'w'
    ? { id, at, target, ws: { cue: id } }
    : { id, at, target, osc: { address: `/cue/${id}` } });
  const show = rundown({
    items: [
      { id: 'one', title: 'One', duration: '30s', cues: [cue('one-u', '0', 'u'), cue('one-t', '0', 't'), cue('one-w', '0', 'w')] },
      { id: 'two', title: 'Two', duration: '30s', cues: [cue('two-u', '150ms', 'u'), cue('two-t', '200ms', 't'), cue('two-w', '250ms', 'w'), cue('two-u2', '300ms', 'u')] },
      { id: 'three', title: 'Three', duration: '30s', cues: [cue('three-u', '0', 'u'), cue('three-w', '0', 'w')] },
    ],
  });
  const d = await new Daemon({ show, targets: { u: { url: u.url }, t: { url: t.url }, w: { url: w.url } } }).start();
  try {
    await waitTargetState(d, 't', 'connected');
    await waitTargetState(d, 'w', 'connected');
    await go(d);
    await sleep(GO_GUARD_MS + 50);
    await go(d);
    await u.waitCount(3);
    await t.waitCount(2);
    await w.waitCount(2);
    await fire(d, 'three-u');
    await fire(d, 'three-w');
    await u.waitCount(4);
    await w.waitCount(3);
    await sleep(150);

    const seen = [
      ...u.messages.map((m) => ({ target: 'u', cue: m.msg.address.slice(5) })),
      ...t.messages.map((m) => ({ target: 't', cue: m.msg.address.slice(5) })),
      ...w.messages.map((m) => ({ target: 'w', cue: JSON.parse(m.text).cue })),
    ];
    assert.equal(seen.length, 9);
    const ids = seen.map((s) => s.cue);
    const records = await waitCueRecords(d, ids);
    const all = cueRecords(d);
    assert.equal(all.length, seen.length, `one record per cue received:\n${all.map((r) => JSON.stringify(r)).join('\n')}`);
    for (const s of seen) {
      const r = records[s.cue];
      assert.equal(all.filter((x) => x.cue === s.cue).length, 1, `${s.cue} logged once`);
      assert.equal(r.outcome, 'sent', JSON.stringify(r));
      assert.equal(r.target, s.target);
      assert.equal(r.item, s.cue.split('-')[0]);
      assert.ok(Number.isInteger(r.lateness_us), `${s.cue}: lateness_us ${r.lateness_us} is an integer`);
      assert.ok(r.lateness_us >= 0 && r.lateness_us <= 50000, `${s.cue}: lateness ${r.lateness_us} µs`);
      assert.equal(r.error, null);
      assert.equal(typeof r.scheduled, 'string');
      assert.equal(typeof r.sent, 'string');
      const diff = isoToUs(r.sent) - isoToUs(r.scheduled);
      assert.ok(Math.abs(diff - r.lateness_us) <= 2, `${s.cue}: sent - scheduled = ${diff} µs, lateness_us ${r.lateness_us}`);
    }
    // The state's recent cues say the same.
    const st = await d.state();
    for (const s of seen) {
      const c = st.cues.find((x) => x.cue === s.cue);
      assert.ok(c, `${s.cue} in state.cues`);
      assert.equal(c.outcome, 'sent');
      assert.equal(c.target, s.target);
    }
    for (const [name, n] of [['u', 4], ['t', 2], ['w', 3]]) {
      const tg = st.targets.find((x) => x.name === name);
      assert.equal(tg.sent, n, `${name} sent count`);
      assert.equal(tg.failed, 0);
    }
  } finally {
    u.close();
    await t.close();
    await w.close();
    await stopClean(d);
  }
});

// ---------------------------------------------------------------------------
// 7. A TCP device that stops reading: a short write must not corrupt the stream.

test('OSC/TCP to a device that stops reading: every cue logged "sent" arrives intact, and the stream stays framed', { timeout: 30000 }, async (t) => {
  const rx = await new RawTcpReceiver().start();
  const N = 120; // 120 x 60 kB: more than the kernel buffers on loopback
  const text = (n) => `${n}:`.padEnd(60000, 'x');
  const bigBytes = (n) => oscBytes(`/big/${n}`, [{ type: 'i', value: n }, { type: 's', value: text(n) }]);
  const show = rundown({
    items: [
      {
        id: 'flood', title: 'Flood', duration: '30s',
        // Clock-sent cues, 3 ms apart.
        cues: Array.from({ length: N }, (_, n) => ({
          id: `big-${n}`, at: `${100 + 3 * n}ms`, target: 't',
          osc: { address: `/big/${n}`, types: 'is', args: [n, text(n)] },
        })),
      },
      { id: 'spare', title: 'By hand', duration: '30s', cues: [{ id: 'after', at: '0', target: 't', osc: { address: '/after', args: ['intact'] } }] },
    ],
  });
  const d = await new Daemon({ show: JSON.stringify(show), targets: { t: { url: rx.url, framing: 'length' } } }).start();
  try {
    await waitTargetState(d, 't', 'connected');
    rx.pause(); // the device hangs
    await go(d);
    const recs = await waitCueRecords(d, Array.from({ length: N }, (_, n) => `big-${n}`), 8000);
    const outcomes = Object.values(recs).filter((r) => r.cue.startsWith('big-'));
    const short = outcomes.filter((r) => r.outcome === 'failed' && /too long/i.test(r.error || ''));
    t.diagnostic(`sent ${outcomes.filter((r) => r.outcome === 'sent').length}, failed ${outcomes.filter((r) => r.outcome === 'failed').length}, short writes: ${short.map((r) => r.cue).join(', ') || 'none'}`);

    rx.resume(); // the device reads again
    await sleep(500);
    await waitTargetState(d, 't', 'connected', 4000);
    await fire(d, 'after');
    const after = (await waitCueRecords(d, ['after']))['after'];
    assert.equal(after.outcome, 'sent', JSON.stringify(after));
    const afterBytes = oscBytes('/after', [{ type: 's', value: 'intact' }]);
    const intact = () => rx.conns.some((_, i) => rx.lengthFrames(i).frames.some((f) => f.equals(afterBytes)));
    await sleep(300);
    for (let k = 0; k < 20 && !intact(); k++) await sleep(100);

    // What the device got, connection by connection.
    const got = [];
    rx.conns.forEach((c, i) => {
      const { frames, rest } = rx.lengthFrames(i);
      frames.forEach((f, j) => {
        let addr;
        try { addr = oscDecode(f).address; } catch (e) { assert.fail(`connection ${i} frame ${j} (${f.length} bytes) does not decode: ${e.message}`); }
        const want = addr === '/after' ? afterBytes : bigBytes(Number(addr.split('/')[2]));
        assert.ok(f.equals(want), `connection ${i} frame ${j} (${addr}, ${f.length} bytes, want ${want.length}) is not intact; `
          + `short writes (logged "failed", connection ${c.closed ? 'closed' : 'kept open'}): ${short.map((r) => r.cue).join(', ') || 'none'}`);
        got.push(addr);
      });
      t.diagnostic(`connection ${i}: ${frames.length} whole frames, ${rest.length} bytes after the last, ${c.closed ? 'closed' : 'open'}`);
      // A torn frame is tolerable only at the end of a connection the daemon dropped.
      assert.ok(rest.length === 0 || c.closed,
        `connection ${i} is still open with ${rest.length} bytes of a torn frame (declared ${rest.length >= 4 ? rest.readUInt32BE(0) : '?'} bytes): every later frame on it is misread`);
    });
    const sentIds = cueRecords(d).filter((r) => r.outcome === 'sent').map((r) => r.cue);
    const gotIds = got.map((a) => (a === '/after' ? 'after' : `big-${a.split('/')[2]}`));
    assert.deepEqual(gotIds, sentIds, 'the device got exactly the cues logged "sent", in order');
  } finally {
    await rx.close();
    await stopClean(d);
  }
});
