// The web client in headless Debian chromium (playwright-core) against the real daemon:
// countdowns that agree with the daemon's clock to the frame, GO from the producer page,
// refusals shown on the page, reconnection, screenshots, and no request off the origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon, ROOT, rundown, sleep, waitFor } from './lib/daemon.mjs';
import { UdpReceiver, TcpReceiver, WsReceiver } from './lib/peers.mjs';
import { launch, openPage, daemonOffset, pageOffset, foreignRequests, nodeNow } from './lib/browser.mjs';

const FRAME_MS = 40; // one frame at 25 fps
const SHOTS = join(ROOT, 'build/screenshots');

// Three GO items, each with one OSC cue at its start.
function threeItems() {
  return rundown({
    items: ['one', 'two', 'three'].map((id) => ({
      id, title: `Item ${id}`, duration: '30s',
      cues: [{ id: `${id}-cut`, at: '0', target: 'sw', osc: { address: `/cut/${id}` } }],
    })),
  });
}

const longItem = () => rundown({ items: [{ id: 'long', title: 'Long item', duration: '5m', warn: '30s', critical: '10s' }] });

// Nothing left the daemon's origin and the page threw nothing. Failed websocket dials are
// expected while the daemon is down.
function assertClean(page, origin) {
  assert.deepEqual(foreignRequests(page, origin), [], 'requests outside the daemon origin');
  assert.deepEqual(page.errors.filter((e) => !/WebSocket connection to .* failed/.test(e)), [], 'page errors');
  assert.ok(page.requests.some((u) => u.endsWith('/ws')), 'the page opened the websocket');
}

const live = (page, samples = 1) => page.waitForFunction(
  (n) => document.body.dataset.conn === 'live' && Number(document.body.dataset.syncSamples) >= n,
  samples, { timeout: 5000 });

// What the stage page drew last: remaining ms, when (page clock), and the text shown.
const readStage = (page) => page.evaluate(() => {
  const e = document.getElementById('countdown');
  return { rem: Number(e.dataset.remainingMs), at: Number(e.dataset.drawnAt), text: e.textContent, phase: e.dataset.phase };
});

// "4:59.3" (tenths) or "4:59:08" (frames) back to ms; a leading "+" is over time.
function parseShown(text, mode, fps = 25) {
  const over = text.startsWith('+');
  const t = text.replace(/^\+/, '');
  let ms;
  if (mode === 'frames') {
    const p = t.split(':').map(Number);
    const ff = p.pop();
    ms = p.reduce((a, v) => a * 60 + v, 0) * 1000 + (ff * 1000) / fps;
  } else {
    const [clock, tenths] = t.split('.');
    ms = clock.split(':').map(Number).reduce((a, v) => a * 60 + v, 0) * 1000 + Number(tenths) * 100;
  }
  return over ? -ms : ms;
}

test('stage: the countdown is within one frame of the daemon, two pages agree, a skewed clock is corrected', async () => {
  const d = await new Daemon({ show: longItem() }).start();
  const browser = await launch();
  try {
    assert.equal((await d.api('go')).status, 200);
    const a = await openPage(browser, { origin: d.url });
    const b = await openPage(browser, { origin: d.url, skewMs: 5000 });
    await Promise.all([a.goto(`${d.url}/stage/`), b.goto(`${d.url}/stage/`)]);
    await a.click('#mode'); // page a shows frames, page b tenths
    await Promise.all([live(a, 8), live(b, 8)]);

    const endsAt = (await d.state()).current.ends_at;
    const server = await daemonOffset(d.wsUrl); // server clock = node clock + server.offset
    const [pa, pb] = [await pageOffset(a), await pageOffset(b)]; // node clock = page clock + offset
    assert.ok(Math.abs(pb.offset - pa.offset + 5000) < 20, `the skew took: ${pb.offset - pa.offset}`);
    const estB = Number(await b.evaluate(() => document.body.dataset.offsetMs));
    assert.ok(Math.abs(estB - (server.offset + pb.offset)) < FRAME_MS, `page b's offset estimate ${estB}`);

    for (let i = 0; i < 6; i++) {
      await sleep(120 + 53 * i);
      const [sa, sb] = await Promise.all([readStage(a), readStage(b)]);
      const ends = [];
      for (const [s, off, mode, tol] of [[sa, pa, 'frames', FRAME_MS], [sb, pb, 'tenths', 100]]) {
        const truth = endsAt - (s.at + off.offset + server.offset);
        assert.ok(Math.abs(s.rem - truth) <= FRAME_MS, `sample ${i} (${mode}): page ${s.rem.toFixed(1)} ms, daemon ${truth.toFixed(1)} ms`);
        // The text is the same value rounded up to the display unit.
        const shown = parseShown(s.text, mode);
        assert.ok(shown - truth >= -FRAME_MS && shown - truth <= tol + FRAME_MS, `sample ${i}: shows "${s.text}", daemon ${truth.toFixed(1)} ms`);
        assert.equal(s.phase, 'running');
        ends.push(s.at + off.offset + s.rem); // where this page puts the deadline, on node's clock
      }
      assert.ok(Math.abs(ends[0] - ends[1]) <= FRAME_MS, `sample ${i}: the pages disagree by ${(ends[0] - ends[1]).toFixed(1)} ms`);
    }
    assertClean(a, d.url);
    assertClean(b, d.url);
  } finally {
    await browser.close();
    const ex = await d.stop();
    d.cleanup();
    assert.equal(ex.code, 0, d.stderr);
  }
});

test('producer: GO fires a cue, a second GO inside go_guard is refused on the page, Space, FIRE and the stage message', async () => {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: threeItems(), targets: { sw: { url: rx.url } }, config: { go_guard: '1s' } }).start();
  const browser = await launch();
  try {
    const p = await openPage(browser, { origin: d.url });
    await p.goto(`${d.url}/producer/?token=${d.token}`);
    await p.waitForSelector('#role[data-role="control"]', { timeout: 5000 });
    assert.ok(!p.url().includes('token'), 'the token is taken out of the address bar');
    assert.equal(await p.evaluate(() => localStorage.getItem('showcaller.token')), d.token);
    await live(p);
    await p.waitForSelector('#rundown-body tr[data-id="three"]');

    await p.click('#go');
    await rx.waitCount(1);
    assert.equal(rx.messages[0].msg.address, '/cut/one');
    const firstGo = nodeNow();
    await p.click('#go');
    const alert = p.locator('.alert[data-code="go_guard"]');
    await alert.waitFor({ timeout: 3000 });
    assert.ok(nodeNow() - firstGo < 1000, 'the second GO came inside go_guard');
    assert.match(await alert.textContent(), /GO refused.*go_guard/s);
    await sleep(300);
    assert.equal(rx.messages.length, 1, 'the refused GO sent nothing');
    assert.equal((await d.state()).current.id, 'one');

    // Space is GO once the guard has passed.
    await sleep(Math.max(0, 1100 - (nodeNow() - firstGo)));
    await p.keyboard.press('Space');
    await rx.waitCount(2);
    assert.equal(rx.messages[1].msg.address, '/cut/two');
    await p.waitForSelector('#rundown-body tr[data-id="two"][data-state="running"]');

    // Pick an item, fire one of its cues.
    await p.click('#rundown-body tr[data-id="three"]');
    await p.click('#sel-cues button[data-cue="three-cut"]');
    await rx.waitCount(3);
    assert.equal(rx.messages[2].msg.address, '/cut/three');
    assert.equal((await d.state()).current.id, 'two', 'FIRE sends the cue, it does not start the item');
    await p.waitForSelector('#cuelog tr[data-outcome="sent"] >> text=three-cut');

    // The stage message reaches a stage page.
    const s = await openPage(browser, { origin: d.url });
    await s.goto(`${d.url}/stage/`);
    await live(s);
    await p.fill('#msg-text', 'WRAP NOW');
    await p.selectOption('#msg-color', 'red');
    await p.click('#msg-form button[type="submit"]');
    await s.waitForFunction(() => !document.getElementById('message').hidden && document.getElementById('message').textContent === 'WRAP NOW', null, { timeout: 3000 });
    assert.equal((await d.state()).message.color, 'red');
    await p.click('#msg-clear');
    await s.waitForFunction(() => document.getElementById('message').hidden, null, { timeout: 3000 });

    assertClean(p, d.url);
    assertClean(s, d.url);
  } finally {
    await browser.close();
    const ex = await d.stop();
    rx.close();
    d.cleanup();
    assert.equal(ex.code, 0, d.stderr);
  }
});

test('producer without a valid token: the daemon refuses, the page says so, no cue leaves', async () => {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: threeItems(), targets: { sw: { url: rx.url } } }).start();
  const browser = await launch();
  try {
    const wrong = await openPage(browser, { origin: d.url });
    await wrong.goto(`${d.url}/producer/?token=not-the-token`);
    await wrong.locator('.alert >> text=Control token refused').waitFor({ timeout: 5000 });
    await live(wrong);
    const none = await openPage(browser, { origin: d.url });
    await none.goto(`${d.url}/producer/`);
    await live(none);

    for (const page of [wrong, none]) {
      assert.ok(await page.isVisible('#auth'), 'the page says it cannot control');
      assert.notEqual(await page.getAttribute('#role', 'data-role'), 'control');
      await page.click('#go');
      const alert = page.locator('.alert[data-code="unauthorized"]');
      await alert.waitFor({ timeout: 3000 });
      assert.match(await alert.textContent(), /GO refused.*unauthorized/s);
    }
    await sleep(400);
    assert.equal(rx.messages.length, 0, 'no cue arrived');
    assert.equal((await d.state()).show.state, 'idle');
    // Both pages share one address: the first refusal in 2 s is logged in
    // full, the rest are counted in the summary record when the 2 s end.
    await waitFor(() => d.asrun().some((r) => r.kind === 'daemon' && r.event === 'refusals'), 5000, 'the refusals summary');
    const told = d.asrun().filter((r) => r.kind === 'command' && r.ok === false && r.door === 'ws');
    const counted = d.asrun().filter((r) => r.kind === 'daemon' && r.event === 'refusals').reduce((n, r) => n + r.refused - r.told, 0);
    assert.ok(told.length >= 1 && told.every((r) => ['go', 'auth'].includes(r.cmd)), JSON.stringify(told));
    assert.ok(told.length + counted >= 2, `${told.length} told, ${counted} counted`);
    assertClean(wrong, d.url);
    assertClean(none, d.url);
  } finally {
    await browser.close();
    const ex = await d.stop();
    rx.close();
    d.cleanup();
    assert.equal(ex.code, 0, d.stderr);
  }
});

test('stage: a silent daemon shows STALE, a killed one DISCONNECTED within 2.5 s, and the page recovers by itself', async () => {
  const d = await new Daemon({ show: longItem() }).start();
  const browser = await launch();
  try {
    assert.equal((await d.api('go')).status, 200);
    const p = await openPage(browser, { origin: d.url });
    await p.goto(`${d.url}/stage/`);
    await live(p);
    assert.ok(await p.isHidden('#flag'));

    // Stopped, not dead: the socket stays open but no heartbeat comes.
    const stoppedAt = nodeNow();
    d.kill('SIGSTOP');
    try {
      await p.waitForFunction(() => document.body.dataset.conn === 'stale' && !document.getElementById('flag').hidden, null, { timeout: 2500 });
      const staleAfter = nodeNow() - stoppedAt;
      assert.ok(staleAfter >= 1000 && staleAfter <= 2500, `STALE after ${staleAfter} ms`);
      assert.match(await p.textContent('#flag'), /STALE/);
    } finally {
      d.kill('SIGCONT');
    }
    await p.waitForFunction(() => document.body.dataset.conn === 'live' && document.getElementById('flag').hidden, null, { timeout: 3000 });

    const killedAt = nodeNow();
    d.kill('SIGKILL');
    await p.waitForFunction(() => document.body.dataset.conn === 'disconnected' && !document.getElementById('flag').hidden, null, { timeout: 2500 });
    const shownAfter = nodeNow() - killedAt;
    assert.ok(shownAfter <= 2500, `DISCONNECTED after ${shownAfter} ms`);
    assert.match(await p.textContent('#flag'), /DISCONNECTED/);
    assert.ok(await p.isVisible('#flag'));
    await d.exited;

    // The same daemon again: same config, rundown and ports.
    d.stdout = '';
    await d.spawn();
    const backAt = nodeNow();
    await p.waitForFunction(() => document.body.dataset.conn === 'live', null, { timeout: 2000 });
    const recovered = nodeNow() - backAt;
    assert.ok(recovered <= 2000, `live again after ${recovered} ms`);
    await p.waitForFunction(() => document.getElementById('flag').hidden, null, { timeout: 1000 });
    assertClean(p, d.url);
  } finally {
    await browser.close();
    const ex = await d.stop();
    d.cleanup();
    assert.equal(ex.code, 0, d.stderr);
  }
});

test('screenshots of every view at tablet and phone sizes (build/screenshots/)', async () => {
  const osc = await new UdpReceiver().start();
  const tcp = await new TcpReceiver().start();
  const gfx = await new WsReceiver().start();
  // The demo show, dated today.
  const show = JSON.parse(readFileSync(join(ROOT, 'config/evening-news.json'), 'utf8'));
  show.date = rundown({ items: [] }).date;
  const d = await new Daemon({
    show,
    targets: { switcher: { url: osc.url }, prompter: { url: osc.url }, audio: { url: tcp.url }, gfx: { url: gfx.url } },
  }).start();
  const browser = await launch();
  mkdirSync(SHOTS, { recursive: true });
  try {
    assert.equal((await d.api('go')).status, 200);
    await osc.waitCount(3);
    await d.api('message', { text: 'WRAP IN 30', color: 'red' });
    const sizes = [[1024, 768], [390, 844]];
    const views = [['index', '/'], ['stage', '/stage/'], ['producer', `/producer/?token=${d.token}`]];
    const shots = [...views.flatMap(([name, path]) => sizes.map((s) => [name, path, s])), ['stage', '/stage/', [1920, 1080]]];
    // All at once: each page on its own context, so they do not share a viewport.
    await Promise.all(shots.map(async ([name, path, [width, height]]) => {
      const p = await openPage(browser, { origin: d.url, viewport: { width, height } });
      await p.goto(`${d.url}${path}`);
      await live(p, 6);
      // A loaded machine delays the first pongs; the next bursts bring the badge down.
      await p.waitForFunction(() => Number(document.body.dataset.uncertaintyMs) <= 5, null, { timeout: 4000 }).catch(() => {});
      await sleep(300);
      await p.screenshot({ path: join(SHOTS, `${name}-${width}x${height}.png`) });
      assertClean(p, d.url);
    }));
  } finally {
    await browser.close();
    const ex = await d.stop();
    osc.close();
    await tcp.close();
    await gfx.close();
    d.cleanup();
    assert.equal(ex.code, 0, d.stderr);
  }
});
