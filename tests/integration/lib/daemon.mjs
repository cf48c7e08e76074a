// Starts the real showcallerd on loopback ports with a generated config, and
// stops it with SIGTERM, checking that it exits cleanly (uv_loop_close() == 0).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import dgram from 'node:dgram';

export const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
export const DAEMON = process.env.SHOWCALLERD || join(ROOT, 'build/showcallerd');

// A free TCP port on 127.0.0.1 (the kernel picks it; we release it at once).
export async function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

// A free UDP port on 127.0.0.1.
export async function freeUdpPort() {
  return new Promise((res) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits until check() returns a truthy value, polling; fails after ms.
// A command reply that says the command ran and its as-run record is on disk
// (the daemon acknowledges only then): {ok: true, seq: N, durable: true}.
export function assertAcked(body, what = 'the reply') {
  if (body?.ok !== true || body?.durable !== true || !Number.isInteger(body?.seq) || body.seq < 1)
    throw new Error(`${what} should be {ok: true, seq: N, durable: true}: ${JSON.stringify(body)}`);
}

export async function waitFor(check, ms = 3000, what = 'condition') {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

// A rundown text: today's date, so hard starts are real times of day.
export function rundown({ title = 'Test show', onAir = null, offAir = null, items }) {
  const d = new Date();
  const date = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  const r = { format: 'showcaller-rundown/1', title, date, fps: 25, items };
  if (onAir) r.on_air = onAir;
  if (offAir) r.off_air = offAir;
  return r;
}

// "HH:MM:SS.mmm" local time, ms from now.
export function timeOfDay(msFromNow) {
  const d = new Date(Date.now() + msFromNow);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export class Daemon {
  // valgrind: run the daemon under valgrind, where any error or leak of any
  // kind makes it exit 9 (its start then takes up to 30 s).
  constructor({ show, targets = {}, config = {}, args = [], valgrind = false }) {
    this.show = show;
    this.targets = targets;
    this.configExtra = config;
    this.args = args;
    this.valgrind = valgrind;
    this.dir = mkdtempSync(join(tmpdir(), 'showcaller-it-'));
    this.stdout = '';
    this.stderr = '';
  }

  async start() {
    this.http = await freePort();
    this.osc = await freeUdpPort();
    this.config = {
      http: { listen: `127.0.0.1:${this.http}` },
      osc: { listen: `127.0.0.1:${this.osc}`, allow: ['127.0.0.1'] },
      data_dir: join(this.dir, 'data'),
      go_guard: '300ms',
      auth: { control_token: 'control-token-0123456789', view_token: null },
      targets: this.targets,
      ...this.configExtra,
    };
    // The ports are always ours; the rest of a section may come from the test.
    this.config.http = { ...this.config.http, listen: `127.0.0.1:${this.http}` };
    this.config.osc = { allow: ['127.0.0.1'], ...this.config.osc, listen: `127.0.0.1:${this.osc}` };
    this.configPath = join(this.dir, 'config.json');
    this.showPath = join(this.dir, 'show.json');
    writeFileSync(this.configPath, JSON.stringify(this.config, null, 2));
    writeFileSync(this.showPath, typeof this.show === 'string' ? this.show : JSON.stringify(this.show, null, 2));
    await this.spawn();
    return this;
  }

  async spawn() {
    const argv = [DAEMON, '--config', this.configPath, '--web', join(ROOT, 'clients/web'), ...this.args, this.showPath];
    if (this.valgrind)
      argv.unshift('valgrind', '--quiet', '--leak-check=full', '--show-leak-kinds=all', '--errors-for-leak-kinds=all', '--error-exitcode=9');
    this.proc = spawn(argv[0], argv.slice(1), {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((res) => this.proc.on('exit', (code, signal) => res({ code, signal })));
    this.proc.stdout.on('data', (b) => { this.stdout += b; });
    this.proc.stderr.on('data', (b) => { this.stderr += b; });
    await waitFor(() => this.stdout.includes('showcallerd is running') || this.proc.exitCode !== null,
      this.valgrind ? 30000 : 10000, 'the daemon to start');
    if (this.proc.exitCode !== null) throw new Error(`showcallerd exited at start:\n${this.stderr}`);
  }

  get token() { return this.config.auth.control_token; }
  get url() { return `http://127.0.0.1:${this.http}`; }
  get wsUrl() { return `ws://127.0.0.1:${this.http}/ws`; }

  async api(cmd, body = undefined, token = this.token) {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${this.url}/api/${cmd}`, {
      method: 'POST', headers, body: body === undefined ? '' : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  async get(path) {
    const res = await fetch(`${this.url}${path}`);
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* CSV or HTML */ }
    return { status: res.status, text, json, type: res.headers.get('content-type') };
  }

  async state() { return (await this.get('/api/state')).json; }

  asrun() {
    const file = join(this.config.data_dir, readAsrunName(this.config.data_dir));
    if (!existsSync(file)) return [];
    // The daemon may be writing the last line right now: read whole lines only.
    const text = readFileSync(file, 'utf8');
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    return whole.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }

  // The as-run log is written asynchronously: waits until check(records) holds.
  async asrunWhen(check, ms = 3000, what = 'as-run records') {
    return waitFor(() => { const r = this.asrun(); return check(r) ? r : null; }, ms, what);
  }

  kill(signal) { this.proc.kill(signal); }

  // SIGTERM, then the exit must be clean: code 0 and "stopped cleanly".
  async stop() {
    if (this.proc.exitCode === null) this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    const r = await this.exited;
    clearTimeout(t);
    return r;
  }

  cleanup() { rmSync(this.dir, { recursive: true, force: true }); }
}

function readAsrunName(dir) {
  const d = new Date();
  return `asrun-${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}.jsonl`;
}
