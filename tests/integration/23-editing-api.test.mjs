// The editing API without a browser: saves (PUT /api/rundown), their checks
// and conflicts, the versions kept in data_dir/versions, a save during a live
// show, and kill -9 in the middle of a save.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon, rundown, waitFor, sleep } from './lib/daemon.mjs';
import { UdpReceiver, Client } from './lib/peers.mjs';

const TOKEN = 'control-token-0123456789';

async function call(d, method, path, body, token = TOKEN) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${d.url}${path}`, {
    method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* CSV */ }
  return { status: res.status, json, text };
}

const save = (d, body, token) => call(d, 'PUT', '/api/rundown', body, token);
const versions = async (d) => (await call(d, 'GET', '/api/versions')).json.versions;

function twoItems() {
  return rundown({
    items: [
      { id: 'a', title: 'A', duration: '20s', cues: [{ id: 'a0', target: 'sw', osc: { address: '/a' } }] },
      { id: 'b', title: 'B', duration: '20s' },
    ],
  });
}

test('a bad save changes nothing and answers every finding; no token, 401; a stale rev, 409 naming who saved; every version kept and restorable', async () => {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: twoItems(), targets: { sw: { url: rx.url } } }).start();
  try {
    const src = (await call(d, 'GET', '/api/rundown/source')).json;
    assert.equal(src.rev, 1);
    assert.deepEqual(src.targets.map((t) => [t.name, t.kind]), [['sw', 'osc.udp']]);
    assert.deepEqual(src.rundown, twoItems());
    assert.equal((await d.get('/api/rundown')).json.rev, 1, 'GET /api/rundown names the version on air');
    const before = readFileSync(d.showPath);

    // Without the token: 401, for every editing path.
    for (const [m, p] of [['GET', '/api/rundown/source'], ['GET', '/api/versions'], ['POST', '/api/rundown/check'], ['PUT', '/api/rundown']]) {
      const r = await call(d, m, p, m === 'GET' ? undefined : { rev: 1, rundown: src.rundown }, null);
      assert.equal(r.status, 401, `${m} ${p}`);
      assert.equal(r.json.error.code, 'unauthorized');
    }

    // Three errors: all three answered, with --check's paths, nothing written.
    const bad = structuredClone(src.rundown);
    bad.items[0].duration = '2:6o';
    bad.items[0].cues[0].target = 'sww';
    bad.items[1].id = 'a';
    let r = await save(d, { rev: 1, rundown: bad, author: 'Ana' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_rundown');
    const paths = r.json.findings.filter((f) => f.severity === 'error').map((f) => f.path).sort();
    assert.deepEqual(paths, ['items[0].cues[0].target', 'items[0].duration', 'items[1].id']);
    assert.match(r.json.findings.find((f) => f.path === 'items[0].cues[0].target').message, /did you mean "sw"/);
    // The same words as the check endpoint and --check give.
    const chk = (await call(d, 'POST', '/api/rundown/check', { rundown: bad })).json;
    assert.equal(chk.ok, false);
    assert.deepEqual(chk.findings.map((f) => f.message).sort(), r.json.findings.map((f) => f.message).sort());
    assert.equal(chk.plan, null);
    // Not JSON, and no rundown.
    r = await save(d, '{"rev": 1, "rundown": ');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'bad_json');
    r = await save(d, { rev: 1 });
    assert.equal(r.status, 400);
    assert.deepEqual(readFileSync(d.showPath), before, 'the file is byte-identical');
    assert.equal((await versions(d)).length, 1);

    // The check endpoint plans a good draft as the show would.
    const good = structuredClone(src.rundown);
    good.items[1].duration = '45s';
    good.items.push({ id: 'c', title: 'C', start: 'follow', duration: '10s' });
    const plan = (await call(d, 'POST', '/api/rundown/check', { rundown: good })).json.plan;
    assert.deepEqual(plan.items.map((i) => i.planned_offset_ms), [0, 20000, 65000]);
    assert.equal(plan.duration_ms, 75000);

    // A good save: the file is the draft, a new version with its author.
    r = await save(d, { rev: 1, rundown: good, author: 'Ana' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.rev, 2);
    assert.deepEqual(JSON.parse(readFileSync(d.showPath, 'utf8')), good);
    assert.equal((await d.get('/api/rundown')).json.items[2].id, 'c', 'on air at once');
    assert.equal((await d.get('/api/rundown')).json.rev, 2);
    let vs = await versions(d);
    assert.deepEqual(vs.map((v) => v.version), [2, 1], 'newest first');
    assert.equal(vs[0].author.name, 'Ana');
    assert.equal(vs[0].author.door, 'http');
    assert.match(vs[0].author.address, /^127\.0\.0\.1:\d+$/);
    assert.equal(vs[0].source, 'editor');
    assert.equal(vs[0].on_air, true);
    assert.equal(vs[1].on_air, false);
    assert.match(vs[0].summary, /added "C"/);
    assert.match(vs[0].summary, /retimed "B" duration 20s -> 45s/);

    // Saving the same again changes nothing and keeps no new version.
    r = await save(d, { rev: 2, rundown: good, author: 'Ana' });
    assert.equal(r.json.unchanged, true);
    assert.equal((await versions(d)).length, 2);

    // A second producer still on version 1: refused, told who saved since.
    const other = structuredClone(src.rundown);
    other.title = 'Overwritten';
    r = await save(d, { rev: 1, rundown: other, author: 'Ben' });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'conflict');
    assert.match(r.json.error.message, /version 2 was saved since the version 1 you edited, by Ana \(http 127\.0\.0\.1:\d+\)/);
    assert.equal(r.json.rev, 2);
    assert.deepEqual(JSON.parse(readFileSync(d.showPath, 'utf8')), good);

    // Each version reads back whole; the diff names items and fields.
    assert.deepEqual((await call(d, 'GET', '/api/versions/1')).json.rundown, twoItems());
    const diff = (await call(d, 'GET', '/api/versions/1/diff?to=2')).json;
    assert.deepEqual(diff.items.map((i) => [i.id, i.change]), [['b', 'changed'], ['c', 'added']]);
    assert.deepEqual(diff.items[0].fields, [{ field: 'duration', from: '20s', to: '45s' }]);
    assert.equal((await call(d, 'GET', '/api/versions/9')).status, 404);
    assert.equal((await call(d, 'GET', '/api/versions/9')).json.error.code, 'unknown_version');

    // Restore version 1: a new save, marked as such.
    r = await save(d, { rev: 2, rundown: (await call(d, 'GET', '/api/versions/1')).json.rundown, restore_of: 1, author: 'Ana' });
    assert.equal(r.status, 200);
    assert.equal(r.json.rev, 3);
    assert.deepEqual(JSON.parse(readFileSync(d.showPath, 'utf8')), twoItems());
    vs = await versions(d);
    assert.equal(vs[0].source, 'restore');
    assert.equal(vs[0].restore_of, 1);
    assert.match(vs[0].summary, /^restore of version 1: removed "C"/);

    // A hand edit of the file, picked up by the watcher, is a version too.
    const hand = twoItems();
    hand.items[1].title = 'B by hand';
    writeFileSync(d.showPath, JSON.stringify(hand, null, 2));
    await waitFor(async () => (await versions(d))[0].version === 4, 3000, 'the file edit as version 4');
    vs = await versions(d);
    assert.equal(vs[0].source, 'file');
    assert.match(vs[0].summary, /edited "B by hand"/);
    assert.equal((await d.get('/api/rundown')).json.items[1].title, 'B by hand');

    // The CSV of what is on air (view rules: no view token set, open).
    const csv = await d.get('/api/rundown.csv');
    assert.equal(csv.status, 200);
    assert.match(csv.type, /text\/csv/);
    assert.match(csv.text, /B by hand/);

    // Versions outlive the daemon: after a restart the same four, 4 on air.
    assert.equal((await d.stop()).code, 0, d.stderr);
    d.stdout = '';
    await d.spawn();
    vs = await versions(d);
    assert.deepEqual(vs.map((v) => v.version), [4, 3, 2, 1]);
    assert.equal(vs[0].on_air, true);
    assert.equal((await d.get('/api/rundown')).json.rev, 4);
    assert.deepEqual(readdirSync(join(d.config.data_dir, 'versions')).sort(),
      ['000001.json', '000002.json', '000003.json', '000004.json', 'index.jsonl']);
  } finally {
    assert.equal((await d.stop()).code, 0, d.stderr);
    rx.close();
    d.cleanup();
  }
});

test('a save during the live show keeps the running item and its timing, fires nothing twice, and the as-run names each item start\'s version', async () => {
  const rx = await new UdpReceiver().start();
  const show = rundown({
    items: [
      {
        id: 'a', title: 'A', duration: '6s', cues: [
          { id: 'a0', target: 'sw', osc: { address: '/a0' } },
          { id: 'a1', at: '1s', target: 'sw', osc: { address: '/a1' } },
          { id: 'a2', at: '2500ms', target: 'sw', osc: { address: '/a2' } },
        ],
      },
      { id: 'b', title: 'B', duration: '20s', cues: [{ id: 'b0', target: 'sw', osc: { address: '/b0' } }] },
    ],
  });
  const d = await new Daemon({ show, targets: { sw: { url: rx.url } } }).start();
  try {
    const c = await new Client(`${d.wsUrl}?token=${d.token}`).open();
    assert.equal((await c.cmd('go')).ok, true);
    await rx.waitCount(2, 3000); // /a0 and /a1 have left
    const st0 = await d.state();
    assert.equal(st0.current.id, 'a');

    // A draft without the running item: refused, nothing written.
    const before = readFileSync(d.showPath);
    const gone = structuredClone(show);
    gone.items.shift();
    let r = await save(d, { rev: 1, rundown: gone });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'running_item_removed');
    assert.deepEqual(readFileSync(d.showPath), before);

    // Retitle the running item, retime the next, add one: saved and on air.
    const edit = structuredClone(show);
    edit.items[0].title = 'A (retitled live)';
    edit.items[1].duration = '30s';
    edit.items.push({ id: 'c', title: 'C', duration: '10s' });
    r = await save(d, { rev: 1, rundown: edit, author: 'Ana' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const st1 = await d.state();
    assert.equal(st1.current.id, 'a', 'the running item runs on');
    assert.equal(st1.current.title, 'A (retitled live)');
    assert.ok(Math.abs(st1.current.ends_at - st0.current.ends_at) <= 5, `its end stays: ${st0.current.ends_at} -> ${st1.current.ends_at}`);

    // a2 fires once at its time; a0 and a1 never again.
    await rx.waitCount(3, 4000);
    await sleep(400);
    assert.deepEqual(rx.addresses(), ['/a0', '/a1', '/a2']);
    assert.equal((await c.cmd('go')).ok, true);
    await rx.waitCount(4, 3000);
    await sleep(300);
    assert.deepEqual(rx.addresses(), ['/a0', '/a1', '/a2', '/b0']);

    const log = await d.asrunWhen((recs) => recs.filter((x) => x.kind === 'item_start').length >= 2, 3000, 'two item starts');
    const cues = log.filter((x) => x.kind === 'cue').map((x) => x.cue);
    assert.deepEqual(cues, ['a0', 'a1', 'a2', 'b0'], 'each cue once in the as-run');
    const starts = log.filter((x) => x.kind === 'item_start').map((x) => [x.item, x.version]);
    assert.deepEqual(starts, [['a', 1], ['b', 2]]);
    const reload = log.find((x) => x.kind === 'command' && x.cmd === 'reload');
    assert.equal(reload.ok, true);
    assert.equal(reload.door, 'http');
    c.close();
  } finally {
    assert.equal((await d.stop()).code, 0, d.stderr);
    rx.close();
    d.cleanup();
  }
});

test('kill -9 during a save leaves the old file or the new one, never a torn one, and the versions read back', async () => {
  // Large enough that the write takes a moment: 3,000 items, about 400 KB.
  const big = (title) => rundown({
    title,
    items: Array.from({ length: 3000 }, (_, i) => ({ id: `i${i}`, title: `${title} item ${i} ${'x'.repeat(60)}`, duration: '10s', notes: 'n'.repeat(40) })),
  });
  const d = await new Daemon({ show: big('Old') }).start();
  try {
    const outcomes = { old: 0, new: 0 };
    for (let round = 0; round < 6; round++) {
      const src = (await call(d, 'GET', '/api/rundown/source')).json;
      const oldDoc = src.rundown;
      const newDoc = big(`New ${round}`);
      const t0 = Date.now();
      const pending = save(d, { rev: src.rev, rundown: newDoc }).then(() => Date.now() - t0, () => null);
      // Even rounds: the moment the temporary file appears, in the middle of
      // the write. Odd rounds: the moment it is gone, just after the rename,
      // before the version is recorded.
      const tmp = `${d.showPath}.saving`;
      const until = Date.now() + 5000;
      const tick = () => new Promise((r) => setImmediate(r));
      while (!existsSync(tmp) && Date.now() < until) await tick();
      if (round % 2 === 1) while (existsSync(tmp) && Date.now() < until) await tick();
      d.kill('SIGKILL');
      await d.exited;
      await pending;
      const doc = JSON.parse(readFileSync(d.showPath, 'utf8')); // never torn: always parses
      const which = JSON.stringify(doc) === JSON.stringify(newDoc) ? 'new'
        : JSON.stringify(doc) === JSON.stringify(oldDoc) ? 'old' : 'neither';
      assert.notEqual(which, 'neither', `round ${round}: the file is neither version`);
      outcomes[which]++;
      d.stdout = '';
      await d.spawn();
      // What is on air is the file, and it is a version.
      const vs = await versions(d);
      assert.equal(vs[0].on_air, true);
      const onAir = (await call(d, 'GET', `/api/versions/${vs[0].version}`)).json.rundown;
      assert.deepEqual(onAir, doc, `round ${round}: the version on air is the file`);
      assert.equal((await d.get('/api/rundown')).json.title, doc.title);
    }
    // Numbers never repeat across the crashes.
    const vs = await versions(d);
    assert.equal(new Set(vs.map((v) => v.version)).size, vs.length);
    console.log(`# kill -9 during a save: ${outcomes.old} old, ${outcomes.new} new`);
  } finally {
    await d.stop();
    d.cleanup();
  }
});
