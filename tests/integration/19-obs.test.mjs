// obs:// targets against real OBS Studio 29 (Debian obs-studio, obs-websocket
// 5.1), headless. OBS listens on every interface and tries to reach the
// internet, so it runs in a private network namespace (obs/obs-headless.sh,
// a copy of shared/obs-headless.sh), and the daemon and the checks run in
// there with it: obs/inner.mjs does the steps (one OBS start, one daemon) and
// prints a line per step, which become the tests below. Skipped, saying why,
// where OBS cannot run (not installed, no unshare, or it did not come up), and
// with an ASan build (as 11-valgrind: this one runs with the normal build).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DAEMON } from './lib/daemon.mjs';

const HERE = new URL('.', import.meta.url).pathname;
const SCRIPT = join(HERE, 'obs/obs-headless.sh');
const INNER = join(HERE, 'obs/inner.mjs');
const RUN_MS = 50000; // the whole run, OBS's start (~2 s) and a restart included

const STEPS = [
  ['a', 'obs: cues switch the program scene; OBS itself says so (GetCurrentProgramScene)'],
  ['b', 'obs: each cue gets an "answer" record (ok, answer_us, cue_seq); the state counts answers'],
  ['c', 'obs: a scene that does not exist is answered "error" with OBS\'s code and comment'],
  ['d', 'obs: a wrong password leaves that target down, its error says authentication; its cues fail'],
  ['e', 'obs: OBS killed mid-show: cues fail, the target comes back when OBS does, nothing replayed'],
  ['clean', 'obs: the daemon then stops cleanly'],
];

function whyNot() {
  if (/asan/.test(DAEMON)) return 'ASan build: the OBS test runs with the normal build only';
  const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  for (const cmd of ['obs', 'xvfb-run', 'xauth', 'ip', 'ss', 'unshare'])
    if (!have(cmd)) return `${cmd} is not installed (apt-get install -y --no-install-recommends obs-studio xvfb xauth libgl1-mesa-dri iproute2)`;
  const ns = process.getuid() === 0 ? ['-n'] : ['-rn'];
  const u = spawnSync('unshare', [...ns, 'true'], { encoding: 'utf8' });
  if (u.status !== 0) return `cannot make a private network namespace (unshare ${ns[0]}: ${(u.stderr || '').trim()})`;
  return null;
}

let skip = whyNot();
const results = new Map();
let out = '';
let err = '';
let exit = null;
let shown = 0;

before(async () => {
  if (skip) return;
  const t0 = Date.now();
  const p = spawn(SCRIPT, ['node', INNER], {
    cwd: HERE,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: a hung run is stopped whole
    env: {
      ...process.env, SHOWCALLERD: DAEMON, OBS_WS_PASSWORD: 'obs-secret-4455',
      OBS_WS_PORT: '4455', OBS_SCENES: 'Scene A,Scene B',
    },
  });
  p.stdout.on('data', (b) => { out += b; });
  p.stderr.on('data', (b) => { err += b; });
  // bash runs its TERM trap (the cleanup) only once its command has gone: TERM them all.
  const killer = setTimeout(() => { try { process.kill(-p.pid, 'SIGTERM'); } catch { /* gone */ } }, RUN_MS);
  exit = await new Promise((r) => p.on('exit', (code, signal) => r({ code, signal, ms: Date.now() - t0 })));
  clearTimeout(killer);
  if (exit.code === 2) skip = `OBS did not come up: ${err.trim().split('\n').slice(-5).join(' | ')}`;
  for (const line of out.split('\n')) {
    const m = /^@@obs-step (.*)$/.exec(line);
    if (m) { const r = JSON.parse(m[1]); results.set(r.step, r); }
  }
});

const tail = () => `exit ${JSON.stringify(exit)}\nstdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`;

for (const [id, title] of STEPS) {
  test(title, { skip: skip || false }, (t) => {
    if (skip) { t.skip(skip); return; }
    if (id === 'a') t.diagnostic(`obs-headless.sh ran ${exit.ms} ms in all`);
    // The whole output once, in the first test that misses its step.
    const more = () => (shown++ ? '(the output: see the first failure above)' : tail());
    const start = results.get('start');
    if (start) assert.fail(`the inner script could not start: ${start.error.split('\n').slice(0, 8).join('\n')}\n${more()}`);
    const r = results.get(id);
    if (!r) assert.fail(`step ${id} did not run\n${more()}`);
    for (const m of r.diag) t.diagnostic(m);
    assert.ok(r.ok, `${r.error}`);
  });
}
