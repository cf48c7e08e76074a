// Helpers for the show-logic tests (03-show): one UDP OSC device "sw", a
// daemon around it, arrival times by address, and loose timing assertions.
import assert from 'node:assert/strict';
import { Daemon, assertAcked, rundown, sleep, waitFor } from './daemon.mjs';
import { UdpReceiver, Client } from './peers.mjs';

// Timing tolerance in ms: the machine is shared.
export const TOL = 100;

// An OSC cue to the "sw" target whose address names it: cue('a-0', '0').
export function cue(id, at, address = `/${id}`) {
  return { id, at, target: 'sw', osc: { address } };
}

// An item; `start` omitted means "go".
export function item(id, duration, cues = [], start = undefined) {
  const it = { id, title: id.toUpperCase(), duration, cues };
  if (start !== undefined) it.start = start;
  return it;
}

// Runs fn({d, rx}) against a fresh daemon with one UDP target "sw" (with a
// /panic payload), then stops it and checks the exit was clean, whatever fn did.
export async function withShow({ items, onAir = null, offAir = null, config = {}, target = {} }, fn) {
  const rx = await new UdpReceiver().start();
  const d = new Daemon({
    show: rundown({ onAir, offAir, items }),
    targets: { sw: { url: rx.url, panic: { osc: { address: '/panic' } }, ...target } },
    config,
  });
  let failed = null;
  try {
    await d.start();
    await fn({ d, rx });
  } catch (e) {
    failed = e;
  }
  const clients = withShow.clients.splice(0);
  for (const c of clients) { try { c.close(); } catch { /* already closed */ } }
  const ex = d.proc ? await d.stop() : { code: 0, signal: null };
  rx.close();
  if (failed) {
    failed.message += `\n--- daemon stderr ---\n${d.stderr}`;
    d.cleanup();
    throw failed;
  }
  try {
    assert.equal(ex.signal, null, `daemon killed by ${ex.signal}\n${d.stderr}`);
    assert.equal(ex.code, 0, `daemon exit code ${ex.code}\n${d.stderr}`);
    assert.match(d.stderr, /stopped cleanly/);
  } finally {
    d.cleanup();
  }
}
withShow.clients = [];

// A /ws client (closed by withShow) that also timestamps every state.
export async function openClient(d, { control = true } = {}) {
  const c = await new Client(control ? `${d.wsUrl}?token=${d.token}` : d.wsUrl).open();
  c.stamped = [];
  c.ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.type === 'state') c.stamped.push({ at: Date.now(), state: m });
  });
  withShow.clients.push(c);
  return c;
}

// Arrival times (Date.now()) of the OSC messages with this address.
export function arrivals(rx, address) {
  return rx.messages.filter((m) => m.msg.address === address).map((m) => m.at);
}

// Waits for the n-th arrival of address and returns its time.
export async function arrival(rx, address, ms = 3000, n = 1) {
  await waitFor(() => arrivals(rx, address).length >= n, ms, `OSC ${address} (#${n})`);
  return arrivals(rx, address)[n - 1];
}

// |actual - expected| <= tol.
export function near(actual, expected, what, tol = TOL) {
  assert.equal(typeof actual, 'number', `${what}: not a number (${actual})`);
  assert.ok(Math.abs(actual - expected) <= tol,
    `${what}: ${actual} is ${actual - expected} ms from ${expected} (tolerance ${tol} ms)`);
}

// Sends a command over HTTP and insists it succeeded; returns [before, after] wall ms.
export async function ok(d, cmd, body = undefined) {
  const before = Date.now();
  const r = await d.api(cmd, body);
  const after = Date.now();
  assert.equal(r.status, 200, `${cmd} ${JSON.stringify(body ?? {})}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  assertAcked(r.body);
  return [before, after];
}

// Sends a command over HTTP and insists it was refused with this code.
export async function refused(d, cmd, body, code, status = undefined) {
  const r = await d.api(cmd, body);
  assert.equal(r.body.ok, false, `${cmd} ${JSON.stringify(body ?? {})} should be refused: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.error.code, code, `${cmd}: ${JSON.stringify(r.body)}`);
  if (status !== undefined) assert.equal(r.status, status);
  return r;
}

// As-run records of a kind (and optionally for an item / cue).
export function records(d, kind, filter = {}) {
  return d.asrun().filter((r) => r.kind === kind && Object.entries(filter).every(([k, v]) => r[k] === v));
}

// Waits until the as-run has a record matching, returns it.
export async function record(d, kind, filter = {}, ms = 3000) {
  return waitFor(() => records(d, kind, filter)[0], ms, `as-run ${kind} ${JSON.stringify(filter)}`);
}

export { sleep, waitFor };
