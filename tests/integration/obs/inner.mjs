// The OBS steps of 19-obs.test.mjs. Runs inside obs-headless.sh's private
// network namespace (obs-headless.sh node obs/inner.mjs), where real OBS 29
// listens on $OBS_WS_URL with $OBS_WS_PASSWORD and the scenes "Scene A,Scene B".
// It starts the daemon there with an obs:// target (and one with a wrong
// password), drives the show, asks OBS itself through obs-websocket-js, and
// prints one line per step:  @@obs-step {"step":"a","ok":true,"diag":[...]}
// (or "ok":false with "error"). Exits 1 when a step failed, never 2 (that is
// obs-headless.sh's "OBS did not come up").
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import OBSWebSocket from 'obs-websocket-js';
import { Daemon, rundown, sleep, waitFor } from '../lib/daemon.mjs';
import { target, waitTargetState, stopClean } from '../lib/outputs-helpers.mjs';

const { OBS_WS_URL, OBS_WS_PORT, OBS_WS_PASSWORD, OBS_HOME } = process.env;
const GO_GUARD_MS = 300; // lib/daemon.mjs's config
const scene = (sceneName) => ({ request: 'SetCurrentProgramScene', data: { sceneName } });

// ---------------------------------------------------------------------------
// OBS itself: a client of our own, and killing and restarting OBS.

async function obsClient() {
  const obs = new OBSWebSocket();
  obs.on('error', () => {});
  await obs.connect(OBS_WS_URL, OBS_WS_PASSWORD || undefined);
  return obs;
}

async function programScene(obs) {
  return (await obs.call('GetCurrentProgramScene')).currentProgramSceneName;
}

const obsPid = () => Number(readFileSync(join(OBS_HOME, 'obs.pid'), 'utf8').trim());
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

function listening(port) {
  return new Promise((res) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); res(true); });
    s.on('error', () => res(false));
  });
}

// OBS started again the way obs-headless.sh starts it (same HOME, display
// options and arguments; it writes the new PID to $OBS_HOME/obs.pid, so the
// script's cleanup stops this one too).
let restarted = null;
async function restartObs() {
  const t0 = Date.now();
  restarted = spawn('xvfb-run', ['-a', '-s', '-screen 0 1280x720x24 -nolisten tcp', 'sh', '-c',
    'echo $$ > "$OBS_HOME/obs.pid"; exec obs --multi --disable-shutdown-check --disable-updater --disable-missing-files-check'],
  { stdio: 'ignore', env: { ...process.env, HOME: OBS_HOME, LIBGL_ALWAYS_SOFTWARE: '1' } });
  restarted.exited = new Promise((r) => restarted.on('exit', r));
  await waitFor(() => listening(Number(OBS_WS_PORT)), 30000, 'the restarted OBS to listen');
  return Date.now() - t0;
}

async function stopRestartedObs() {
  if (!restarted) return;
  try {
    const pid = obsPid();
    if (alive(pid)) process.kill(pid, 'SIGTERM');
    await Promise.race([restarted.exited, sleep(10000)]);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  } catch { /* the script's cleanup stops it */ }
  await Promise.race([restarted.exited, sleep(5000)]);
}

// ---------------------------------------------------------------------------
// Steps: each prints its result; a failed step does not stop the later ones
// unless they cannot run without it.

let failed = false;
async function step(id, fn) {
  const diag = [];
  try {
    await fn((m) => diag.push(m));
    console.log(`@@obs-step ${JSON.stringify({ step: id, ok: true, diag })}`);
    return true;
  } catch (e) {
    failed = true;
    console.log(`@@obs-step ${JSON.stringify({ step: id, ok: false, diag, error: String(e?.stack || e) })}`);
    return false;
  }
}

const asrun = async (d) => (await d.get('/api/asrun')).json;

// Waits for a cue's record in GET /api/asrun (the run-th one) and its answer record.
async function answered(d, cue, ms = 3000, run = 1) {
  let out = null;
  await waitFor(async () => {
    const recs = await asrun(d);
    const cues = recs.filter((r) => r.kind === 'cue' && r.cue === cue);
    const rec = cues[run - 1];
    if (!rec) return false;
    const ans = recs.find((r) => r.kind === 'answer' && r.cue_seq === rec.seq);
    if (!ans) return false;
    out = { rec, ans, recs };
    return true;
  }, ms, `the answer to cue ${cue} in /api/asrun`);
  return out;
}

async function go(d) {
  const r = await d.api('go');
  assert.equal(r.status, 200, `go: ${JSON.stringify(r.body)}`);
  await sleep(GO_GUARD_MS + 50);
}

async function fire(d, cue) {
  const r = await d.api('fire', { cue });
  assert.equal(r.status, 200, `fire ${cue}: ${JSON.stringify(r.body)}`);
}

const show = rundown({
  items: [
    { id: 'i1', title: 'Open on B', duration: '30s', cues: [{ id: 'c1', at: '0', target: 'obs', obs: scene('Scene B') }] },
    { id: 'i2', title: 'Back to A', duration: '30s', cues: [{ id: 'c2', at: '0', target: 'obs', obs: scene('Scene A') }] },
    { id: 'i3', title: 'OBS gone', duration: '30s', cues: [{ id: 'c3', at: '0', target: 'obs', obs: scene('Scene B') }] },
    {
      id: 'spare', title: 'By hand', duration: '30s',
      cues: [
        { id: 'nope', at: '0', target: 'obs', obs: scene('No Such Scene') },
        { id: 'bad', at: '0', target: 'obsbad', obs: scene('Scene B') },
        { id: 'back', at: '0', target: 'obs', obs: scene('Scene B') },
      ],
    },
  ],
});

const startedAt = Date.now();
const url = `obs://127.0.0.1:${OBS_WS_PORT}`;
let d = null;
let obs = null;
try {
  obs = await obsClient();
  d = await new Daemon({
    show,
    targets: {
      obs: { url, password: OBS_WS_PASSWORD, timeout: '1s' },
      obsbad: { url, password: `wrong-${OBS_WS_PASSWORD}`, timeout: '1s' },
    },
  }).start();
} catch (e) {
  console.log(`@@obs-step ${JSON.stringify({ step: 'start', ok: false, diag: [], error: String(e?.stack || e) + (d ? `\n${d.stderr}` : '') })}`);
  await d?.stop();
  d?.cleanup();
  await obs?.disconnect();
  process.exit(1);
}

await step('a', async (diag) => {
  const took = await waitTargetState(d, 'obs', 'connected', 5000);
  diag(`obs target connected ${took} ms after the daemon started (OBS ${(await obs.call('GetVersion')).obsVersion})`);
  assert.equal(await programScene(obs), 'Scene A', 'OBS starts on Scene A');
  await go(d); // i1: c1 switches to Scene B
  await answered(d, 'c1');
  await waitFor(async () => (await programScene(obs)) === 'Scene B', 2000, 'OBS on Scene B after GO on i1');
  await go(d); // i2: c2 switches back to Scene A
  await answered(d, 'c2');
  await waitFor(async () => (await programScene(obs)) === 'Scene A', 2000, 'OBS on Scene A after GO on i2');
});

await step('b', async (diag) => {
  const { rec, ans } = await answered(d, 'c1');
  assert.equal(rec.outcome, 'sent', JSON.stringify(rec));
  assert.equal(rec.target, 'obs');
  assert.equal(ans.answer, 'ok', JSON.stringify(ans));
  assert.ok(Number.isInteger(ans.answer_us) && ans.answer_us >= 0, `answer_us an integer: ${JSON.stringify(ans)}`);
  assert.ok(ans.answer_us < 1_000_000, `answered within the 1 s timeout: ${ans.answer_us} µs`);
  assert.equal(ans.cue, 'c1');
  assert.equal(ans.item, 'i1');
  assert.equal(ans.target, 'obs');
  assert.ok(ans.seq > rec.seq, 'the answer record comes after its cue record');
  assert.equal(typeof ans.answered, 'string', 'answered: an ISO time');
  // The cue record in /api/asrun carries its answer too.
  assert.equal(rec.answer, 'ok', `the cue record carries its answer: ${JSON.stringify(rec)}`);
  assert.equal(rec.answer_us, ans.answer_us);
  diag(`c1: sent -> answered ok in ${ans.answer_us} µs`);
  const t = await target(d, 'obs');
  assert.equal(t.kind, 'obs');
  assert.ok(t.answers && t.answers.ok >= 2, `state answers: ${JSON.stringify(t)}`);
  assert.equal(t.answers.error, 0);
  assert.equal(t.answers.timeout, 0);
  assert.equal(t.last_answer?.answer, 'ok', `last_answer: ${JSON.stringify(t.last_answer)}`);
  assert.equal(t.last_answer?.cue, 'c2');
  assert.ok(t.rtt_us && t.rtt_us.n >= 2 && t.rtt_us.p50 > 0, `rtt_us: ${JSON.stringify(t.rtt_us)}`);
  diag(`state: answers ${JSON.stringify(t.answers)}, rtt_us ${JSON.stringify(t.rtt_us)}`);
});

await step('c', async (diag) => {
  await fire(d, 'nope');
  const { rec, ans } = await answered(d, 'nope');
  assert.equal(rec.outcome, 'sent', JSON.stringify(rec));
  assert.equal(ans.answer, 'error', JSON.stringify(ans));
  assert.match(ans.answer_detail, /^600: /, 'OBS\'s code first (600: ResourceNotFound)');
  assert.match(ans.answer_detail, /No Such Scene/, 'OBS\'s comment names the scene');
  assert.match(ans.answer_detail, /no source was found/i);
  diag(`answer_detail: ${ans.answer_detail}`);
  assert.equal(await programScene(obs), 'Scene A', 'the scene did not change');
  const t = await target(d, 'obs');
  assert.equal(t.answers?.error, 1, JSON.stringify(t.answers));
  assert.equal(t.last_answer?.answer, 'error');
  assert.equal(t.state, 'connected', 'an error answer does not drop the connection');
});

await step('d', async (diag) => {
  await waitTargetState(d, 'obsbad', 'down', 5000);
  const t = await target(d, 'obsbad');
  assert.equal(t.kind, 'obs');
  assert.match(String(t.error), /auth|password/i, `the error says why: ${JSON.stringify(t)}`);
  diag(`obsbad: state ${t.state}, error ${JSON.stringify(t.error)}`);
  await fire(d, 'bad');
  const recs = await waitFor(async () => (await asrun(d)).filter((r) => r.kind === 'cue' && r.cue === 'bad').pop(), 3000, 'the cue record of bad');
  assert.equal(recs.outcome, 'failed', JSON.stringify(recs));
  assert.equal((await target(d, 'obs')).state, 'connected', 'the good target is not affected');
});

await step('e', async (diag) => {
  await obs.disconnect();
  const pid = obsPid();
  process.kill(pid, 'SIGKILL'); // OBS crashes mid-show
  await waitFor(() => !alive(pid), 5000, 'OBS to die');
  const took = await waitTargetState(d, 'obs', 'down', 3000);
  diag(`OBS killed: target down after ${took} ms`);
  const downAt = Date.now();
  // The show goes on to i3 while OBS is gone (goto, not GO, so that this step
  // does not depend on how far the earlier ones got): its cue c3 fails.
  const r = await d.api('goto', { item: 'i3' });
  assert.equal(r.status, 200, `goto i3: ${JSON.stringify(r.body)}`);
  const rec = await waitFor(async () => (await asrun(d)).find((x) => x.kind === 'cue' && x.cue === 'c3'), 3000, 'the cue record of c3');
  assert.equal(rec.outcome, 'failed', JSON.stringify(rec));
  assert.equal(typeof rec.error, 'string');
  diag(`${rec.cue} while OBS was gone: ${rec.outcome} (${rec.error})`);
  const up = await restartObs();
  diag(`OBS restarted, listening after ${up} ms`);
  const back = await waitTargetState(d, 'obs', 'connected', 5000);
  diag(`target connected again ${back} ms after OBS listened (${Date.now() - downAt} ms after it went down)`);
  obs = await obsClient();
  await fire(d, 'back');
  const { rec: r2, ans } = await answered(d, 'back');
  assert.equal(r2.outcome, 'sent');
  assert.equal(ans.answer, 'ok', JSON.stringify(ans));
  await waitFor(async () => (await programScene(obs)) === 'Scene B', 2000, 'the restarted OBS on Scene B');
  const recs = await asrun(d);
  assert.equal(recs.filter((r) => r.kind === 'cue' && r.cue === 'c3').length, 1, 'nothing failed is replayed on reconnection');
  assert.equal(recs.filter((r) => r.kind === 'answer' && r.cue_seq === rec.seq).length, 0, 'a failed cue gets no answer');
});

await step('clean', async () => {
  await obs?.disconnect();
  await stopClean(d);
  d = null;
});

await d?.stop();
d?.cleanup();
await stopRestartedObs();
console.log(`@@obs-done ${JSON.stringify({ ms: Date.now() - startedAt })}`);
process.exit(failed ? 1 : 0);
