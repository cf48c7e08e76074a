// The as-run log on a full disk: replies are acknowledged only once their
// record is on disk, so when the disk fills they wait, then go out after 1 s
// saying "durable": false; the show goes on, and once there is room again the
// log catches up in order and nothing is lost.
//
// It needs a small file system to fill: a 256 KiB tmpfs mounted for the test,
// which takes root. Without root (or where mounting is not allowed) it is
// skipped and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, writeSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon, assertAcked, rundown, sleep, waitFor } from './lib/daemon.mjs';
import { Client, OscClient } from './lib/peers.mjs';

// A fresh 256 KiB tmpfs to fill, or null after skipping t with the reason.
function smallDisk(t) {
  const mnt = mkdtempSync(join(tmpdir(), 'showcaller-full-'));
  let why = process.getuid?.() === 0 ? null : 'not root: cannot mount a tmpfs to fill';
  if (!why) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (e) {
      why = `cannot mount a tmpfs here (${String(e.stderr || e.message).trim()})`;
    }
  }
  if (!why) return mnt;
  rmSync(mnt, { recursive: true, force: true });
  t.skip(why);
  return null;
}

function unmount(mnt) {
  try { execFileSync('umount', [mnt]); } catch { /* already gone */ }
  rmSync(mnt, { recursive: true, force: true });
}

// Fills the file system with one file until it refuses; returns its path.
function fill(dir) {
  const path = join(dir, 'ballast');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 120);
  try {
    for (;;) writeSync(fd, block);
  } catch (e) {
    if (e.code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return path;
}

test('a full disk: replies wait, then say durable: false; the show goes on; the log catches up', async (t) => {
  const mnt = smallDisk(t);
  if (!mnt) return;
  const dataDir = join(mnt, 'data');
  let d = null;
  try {
    mkdirSync(dataDir);
    d = await new Daemon({
      show: rundown({ items: [{ id: 'a', title: 'A', duration: '60s' }, { id: 'b', title: 'B', duration: '60s' }] }),
      config: { data_dir: dataDir },
    }).start();
    const c = await new Client(`${d.wsUrl}?token=${d.token}`).open();
    assertAcked(await c.cmd('message', { text: 'before the disk filled' }));

    const ballast = fill(mnt);
    // The log file's last page may still have room for a few records: use
    // it up (each of these replies is durable until it is gone).
    let filler = 0;
    for (; filler < 30; filler++) {
      const f = await d.api('message', { text: `filling ${filler}`.padEnd(200, '.') });
      if (f.body.durable === false) break;
    }
    assert.ok(filler < 30, 'the log never filled the disk');
    const t0 = Date.now();
    const r = await d.api('go', undefined);
    const waited = Date.now() - t0;
    assert.equal(r.status, 200);
    assert.equal(r.body.ok, true);
    assert.equal(r.body.durable, false, JSON.stringify(r.body));
    assert.match(r.body.warning, /not on disk after 1000 ms: no space left on device/);
    assert.ok(waited >= 900, `the reply came after ${waited} ms, before the log had a second to catch up`);
    // The command did take effect, and the screens know.
    assert.equal((await d.state()).current.id, 'a');
    const w = await c.cmd('message', { text: 'during the full disk' }, 5000);
    assert.equal(w.ok, true);
    assert.equal(w.durable, false);
    // OSC says it the OSC way: ok 1, code "not_durable".
    const o = await new OscClient().start();
    o.send(d.osc, '/showcaller/message', [{ type: 's', value: 'over OSC' }]);
    const oscReply = await o.reply();
    assert.deepEqual(oscReply.args.slice(0, 3).map((a) => a.value), ['message', 1, 'not_durable']);
    assert.match(oscReply.args[3].value, /not on disk/);
    o.close();

    // Room again: the log retries, in order, and replies are durable again.
    rmSync(ballast);
    await sleep(1500);
    assertAcked(await c.cmd('message', { text: 'after' }));
    const log = await d.asrunWhen((recs) => recs.some((x) => x.args?.text === 'after'), 5000);
    const seqs = log.map((x) => x.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'records in order');
    assert.equal(new Set(seqs).size, seqs.length, 'no record twice');
    for (const s of [r.body.seq, w.seq]) assert.ok(seqs.includes(s), `record ${s} reached the file`);
    assert.ok(log.some((x) => x.args?.text === 'over OSC'), 'the OSC command reached the file');
    assert.ok(log.some((x) => x.kind === 'item_start' && x.item === 'a'), 'the GO\'s item_start reached the file');
    c.close();
  } finally {
    // Unmount whatever happened, then report how the daemon stopped.
    const ex = d ? await d.stop() : null;
    d?.cleanup();
    unmount(mnt);
    if (ex) assert.equal(ex.code, 0, d.stderr);
  }
});

test('stopping on a full disk: held replies go out first (durable: false), and the daemon exits cleanly', async (t) => {
  const mnt = smallDisk(t);
  if (!mnt) return;
  const dataDir = join(mnt, 'data');
  let d = null;
  let ex = null;
  try {
    mkdirSync(dataDir);
    d = await new Daemon({
      show: rundown({ items: [{ id: 'a', title: 'A', duration: '60s' }] }),
      config: { data_dir: dataDir },
    }).start();
    const c = await new Client(`${d.wsUrl}?token=${d.token}`).open();
    fill(mnt);
    // Use up the room left in the log file's last page, as above.
    let held = null;
    for (let i = 0; i < 30 && !held; i++) {
      const id = c.nextId;
      c.sendRaw(JSON.stringify({ cmd: 'message', id: c.nextId++, text: `filling ${i}`.padEnd(200, '.') }));
      await sleep(50);
      if (!c.replies.has(id)) held = id;
    }
    assert.ok(held, 'no reply was ever held: the disk never filled');
    // SIGTERM while that reply waits: it goes out before the websocket closes.
    d.kill('SIGTERM');
    const reply = await waitFor(() => c.replies.get(held), 3000, 'the held reply');
    assert.equal(reply.ok, true);
    assert.equal(reply.durable, false);
    assert.match(reply.warning, /stopping/);
    ex = await d.exited;
  } finally {
    if (d && !ex) ex = await d.stop();
    d?.cleanup();
    unmount(mnt);
  }
  // A full disk does not keep the daemon from stopping cleanly.
  assert.equal(ex.code, 0, d.stderr);
  assert.match(d.stderr, /stopped cleanly/);
});
