// A journal that cannot lie: one daemon per data_dir, damaged lines found and
// reported, and a resume that fails safe (holds, says what is uncertain, never
// fires a cue twice) instead of guessing "idle".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon, rundown, sleep, waitFor } from './lib/daemon.mjs';
import { UdpReceiver } from './lib/peers.mjs';

function show() {
  return rundown({
    items: [
      { id: 'a', title: 'A', duration: '30s', cues: [{ id: 'a0', target: 'sw', osc: { address: '/a/0' } }] },
      {
        id: 'b', title: 'B', duration: '30s',
        cues: ['0', '400ms', '800ms', '1200ms', '20s'].map((at, k) => ({ id: `b${k}`, at, target: 'sw', osc: { address: `/b/${k}` } })),
      },
      { id: 'c', title: 'C', duration: '30s', cues: [{ id: 'c0', target: 'sw', osc: { address: '/c/0' } }] },
    ],
  });
}

const journalPath = (d) => {
  const t = new Date();
  const name = `asrun-${t.getFullYear()}-${String(t.getMonth() + 1).padStart(2, '0')}-${String(t.getDate()).padStart(2, '0')}.jsonl`;
  return join(d.config.data_dir, name);
};

// Every line that parses; damaged ones are skipped (the daemon quarantines them).
function records(d) {
  const out = [];
  for (const l of readFileSync(journalPath(d), 'utf8').split('\n')) {
    try { out.push(JSON.parse(l)); } catch { /* damaged */ }
  }
  return out;
}

async function restart(d) {
  d.stdout = '';
  d.stderr = '';
  await d.spawn();
}

function noneTwice(rx) {
  const seen = new Map();
  for (const a of rx.addresses()) seen.set(a, (seen.get(a) || 0) + 1);
  for (const [a, n] of seen) assert.equal(n, 1, `${a} arrived ${n} times: ${rx.addresses().join(' ')}`);
}

test('a second daemon on the same data_dir refuses to start and names the first; a dead holder\'s lock is taken over', async () => {
  const rx = await new UdpReceiver().start();
  const targets = { sw: { url: rx.url } };
  const d1 = await new Daemon({ show: show(), targets }).start();
  const d2 = new Daemon({ show: show(), targets, config: { data_dir: d1.config.data_dir } });
  try {
    await assert.rejects(d2.start(), /exited at start/);
    assert.match(d2.stderr, new RegExp(`is in use by showcallerd pid ${d1.proc.pid}, started 20`));
    assert.equal((await d2.exited).code, 1);
    const lock = readFileSync(join(d1.config.data_dir, 'showcallerd.lock'), 'utf8');
    assert.match(lock, new RegExp(`^pid ${d1.proc.pid}\\n`));
    d1.kill('SIGKILL');
    await d1.exited;
    d2.stdout = '';
    d2.stderr = '';
    await d2.spawn();
    assert.match(d2.stderr, new RegExp(`data_dir lock taken \\(the last holder, pid ${d1.proc.pid} `));
  } finally {
    await d2.stop();
    rx.close();
    d1.cleanup();
    d2.cleanup();
  }
});

test('a torn line claiming seq 2^63-1: seqs stay readable, and two kills later nothing has fired twice', async () => {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: show(), targets: { sw: { url: rx.url } } }).start();
  try {
    assert.equal((await d.api('go')).status, 200);
    await rx.waitCount(1);
    await sleep(300);
    assert.equal((await d.api('go')).status, 200); // b
    await rx.waitCount(3, 3000);
    d.kill('SIGKILL');
    await d.exited;
    appendFileSync(journalPath(d), '{"seq":9223372036854775807,');
    await restart(d);
    assert.match(d.stderr, /a torn last line/);
    let st = await d.state();
    assert.equal(st.current.id, 'b');
    assert.equal(st.show.state, 'holding');
    assert.equal(st.journal.uncertain, true);
    // A command's acknowledgement carries a seq the file has.
    const r = await d.api('message', { text: 'stand by' });
    assert.equal(r.status, 200);
    assert.ok(r.body.seq > 0 && r.body.seq < 2 ** 53, `seq ${r.body.seq}`);
    await waitFor(() => records(d).some((x) => x.seq === r.body.seq && x.kind === 'command'), 3000, 'the acked record');
    d.kill('SIGKILL');
    await d.exited;
    await restart(d);
    st = await d.state();
    assert.equal(st.current.id, 'b', 'still at b after the second kill, not idle');
    assert.equal(st.journal.uncertain, true, 'the damage is still unacknowledged');
    const go = await d.api('go');
    assert.equal(go.status, 409);
    assert.equal(go.body.error.code, 'journal_uncertain');
    assert.equal((await d.api('journal_ack')).status, 200);
    assert.equal((await d.api('go')).status, 200);
    await waitFor(() => rx.addresses().includes('/c/0'), 3000, 'c0');
    await sleep(300);
    noneTwice(rx);
    const seqs = records(d).map((x) => x.seq);
    assert.ok(seqs.every((s) => Number.isSafeInteger(s) && s > 0 && s < 1000), `seqs ${seqs.slice(-5)}`);
  } finally {
    await d.stop();
    rx.close();
    d.cleanup();
  }
});

test('garbage in the running item\'s item_start: resumes at that item from its cues, holds, says so, fires nothing twice', async () => {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: show(), targets: { sw: { url: rx.url } } }).start();
  try {
    await d.api('go');
    await rx.waitCount(1);
    await sleep(300);
    await d.api('go'); // b: b0 at once, b1..b3 within 1.2 s
    await rx.waitCount(5, 4000);
    await d.asrunWhen((r) => r.filter((x) => x.kind === 'cue' && x.item === 'b').length >= 4, 3000, 'b\'s cue records');
    d.kill('SIGKILL');
    await d.exited;
    // Damage the line of b's start: same length, not JSON any more.
    const file = journalPath(d);
    const lines = readFileSync(file, 'utf8').split('\n');
    const k = lines.findIndex((l) => l.includes('"kind":"item_start"') && l.includes('"item":"b"'));
    assert.ok(k > 0);
    lines[k] = lines[k].slice(0, 20) + '#'.repeat(lines[k].length - 20);
    writeFileSync(file, lines.join('\n'));
    await restart(d);
    assert.match(d.stderr, /1 unreadable line \(\d+ bytes at offset \d+\) between seq \d+ and seq \d+/);
    const st = await d.state();
    assert.equal(st.current.id, 'b', 'b was on air: its cue records say so');
    assert.equal(st.show.state, 'holding');
    assert.equal(st.journal.uncertain, true);
    assert.ok(st.journal.items.some((i) => i.id === 'b' && /start record is lost/.test(i.why)), JSON.stringify(st.journal));
    assert.match(st.journal.damage[0], /unreadable line/);
    const dmg = records(d).filter((x) => x.kind === 'daemon' && x.event === 'journal_damaged');
    assert.ok(dmg.length >= 1);
    const inferred = records(d).filter((x) => x.kind === 'item_start' && x.inferred);
    assert.deepEqual(inferred.map((x) => x.item), ['b']);
    // The producer acknowledges; GO continues from the proven position.
    assert.equal((await d.api('go')).body.error.code, 'journal_uncertain');
    assert.equal((await d.api('journal_ack')).status, 200);
    assert.equal((await d.state()).journal.uncertain, false);
    assert.equal((await d.api('go')).status, 200);
    await waitFor(() => rx.addresses().includes('/c/0'), 3000, 'c0');
    await sleep(300);
    noneTwice(rx);
  } finally {
    await d.stop();
    rx.close();
    d.cleanup();
  }
});

test('an empty journal after a running show: records known lost, the show waits for the producer, never silently from the top', async () => {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: show(), targets: { sw: { url: rx.url } } }).start();
  try {
    await d.api('go');
    await rx.waitCount(1);
    await d.asrunWhen((r) => r.some((x) => x.kind === 'cue' && x.cue === 'a0'), 3000, 'a0 logged');
    await sleep(200); // the lock file is noted after the fsync
    d.kill('SIGKILL');
    await d.exited;
    truncateSync(journalPath(d), 0);
    await restart(d);
    assert.match(d.stderr, /records after seq 0 are lost: the daemon that wrote this file had written up to seq \d+/);
    const st = await d.state();
    assert.equal(st.journal.uncertain, true);
    assert.ok(st.journal.items.length >= 3, 'every item may have run');
    const go = await d.api('go');
    assert.equal(go.status, 409);
    assert.equal(go.body.error.code, 'journal_uncertain');
    assert.equal(rx.messages.length, 1, 'nothing fired by itself');
    // Seqs are never given out twice: the new records follow the lost ones.
    const first = records(d)[0];
    assert.ok(first.seq > 1, `the first new record has seq ${first.seq}`);
    assert.ok(records(d).some((x) => x.kind === 'daemon' && x.event === 'journal_damaged' && /lost/.test(x.message)));
  } finally {
    await d.stop();
    rx.close();
    d.cleanup();
  }
});
