// The pages under pressure, in headless Debian chromium against the real daemon: the producer's
// controls fit a laptop's screen, PANIC is its own state on producer and stage, a producer page
// that lost the daemon is unmistakable and sends nothing, refusals float and go, timed messages
// clear themselves, long titles are never cut, devices' answers (sent vs landed, an error
// raised at once, answer counts and round trips per target), and screenshots of each page at each size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { DAEMON, Daemon, ROOT, rundown, sleep, waitFor } from './lib/daemon.mjs';
import { TcpReceiver, UdpReceiver, WsReceiver } from './lib/peers.mjs';
import { launch, openPage } from './lib/browser.mjs';

const SHOTS = join(ROOT, 'build/screenshots');
// Layout, titles and screenshots are the pages' own (CSS and JS): the ASan+UBSan pass runs the
// tests that drive the daemon, not those, to keep `make test` inside its ten minutes.
const layoutOnly = { skip: /asan/.test(DAEMON) && 'the pages only: run with the normal build' };
const LONG = 'Anchor intro: hospital waiting lists after the council vote, with the minister';

// Five GO items, one cue each, the second with a long title; go_guard long enough to be hit.
function show() {
  return rundown({
    items: ['one', 'two', 'three', 'four', 'five'].map((id, i) => ({
      id, title: i === 1 ? LONG : `Item ${id}`, duration: '45s', warn: '15s', critical: '5s',
      cues: [{ id: `${id}-cut`, at: '0', target: 'sw', osc: { address: `/cut/${id}` } }],
    })),
  });
}

const live = (page) => page.waitForFunction(() => document.body.dataset.conn === 'live', null, { timeout: 5000 });

// The box of a selector, and whether all of it lies inside the viewport.
async function inside(page, sel) {
  const box = await page.locator(sel).first().boundingBox();
  const vp = page.viewportSize();
  return { box, ok: !!box && box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width + 0.5 && box.y + box.height <= vp.height + 0.5 };
}

async function withDaemon(opts, fn) {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: show(), targets: { sw: { url: rx.url } }, ...opts }).start();
  const browser = await launch();
  try {
    await fn(d, browser, rx);
  } finally {
    await browser.close();
    const ex = await d.stop();
    rx.close();
    d.cleanup();
    assert.equal(ex.code, 0, d.stderr);
  }
}

async function producer(browser, d, viewport, lastItem = 'five') {
  const p = await openPage(browser, { origin: d.url, viewport });
  await p.goto(`${d.url}/producer/?token=${d.token}`);
  await p.waitForSelector('#role[data-role="control"]', { timeout: 5000 });
  await live(p);
  await p.waitForSelector(`#rundown-body tr[data-id="${lastItem}"]`);
  return p;
}

test('producer at 1280x800, 1366x768 and 1920x1080: GO, HOLD, PANIC, the countdown, GOTO, SKIP and FIRE without scrolling', layoutOnly, async () => {
  await withDaemon({}, async (d, browser) => {
    assert.equal((await d.api('go')).status, 200);
    for (const [width, height] of [[1280, 800], [1366, 768], [1920, 1080]]) {
      const p = await producer(browser, d, { width, height });
      await p.click('#rundown-body tr[data-id="four"]'); // an item picked by hand, with a cue
      await p.waitForSelector('#sel-cues button[data-cue="four-cut"]');
      for (const sel of ['#go', '#hold', '#panic', '#p-countdown', '#goto', '#skip', '#sel-cues button[data-cue="four-cut"]']) {
        const r = await inside(p, sel);
        assert.ok(r.ok, `${width}x${height}: ${sel} at ${JSON.stringify(r.box)}`);
      }
      // The page itself does not scroll: only the panels do.
      const scrolls = await p.evaluate(() => document.documentElement.scrollHeight > window.innerHeight + 1);
      assert.equal(scrolls, false, `${width}x${height}: the page scrolls`);
      await p.close();
    }
  });
});

test('PANIC is a state of its own on the producer and the stage, until RESUME', async () => {
  await withDaemon({}, async (d, browser) => {
    const p = await producer(browser, d, { width: 1280, height: 800 });
    const s = await openPage(browser, { origin: d.url });
    await s.goto(`${d.url}/stage/`);
    await live(s);
    await p.click('#go');
    await p.waitForSelector('#show-state[data-state="running"]');
    // PANIC asks once more.
    await p.click('#panic');
    await p.waitForSelector('#panic.armed');
    await p.click('#panic');
    await p.waitForSelector('#show-state[data-state="panic"]', { timeout: 3000 });
    assert.equal(await p.textContent('#show-state'), 'PANIC');
    assert.equal(await p.getAttribute('#p-countdown', 'data-phase'), 'panic');
    assert.equal(await p.textContent('#run-label'), 'PANIC');
    assert.ok(await p.evaluate(() => document.body.classList.contains('in-panic')));
    await s.waitForFunction(() => document.body.dataset.phase === 'panic', null, { timeout: 3000 });
    assert.equal(await s.textContent('#label'), 'PANIC');
    assert.notEqual(await s.textContent('#label'), 'HOLD');
    // RESUME (the HOLD button reads RESUME) ends it.
    assert.equal(await p.textContent('#hold'), 'RESUME');
    await p.click('#hold');
    await p.waitForSelector('#show-state[data-state="running"]', { timeout: 3000 });
    await s.waitForFunction(() => document.body.dataset.phase !== 'panic', null, { timeout: 3000 });
  });
});

test('a producer page that lost the daemon says so, sends nothing, and comes back by itself', async () => {
  await withDaemon({}, async (d, browser, rx) => {
    const p = await producer(browser, d, { width: 1280, height: 800 });
    assert.equal(await p.isDisabled('#go'), false);
    assert.ok(await p.isHidden('#offline'));
    d.kill('SIGKILL');
    await d.exited;
    await p.waitForFunction(() => document.getElementById('go').disabled, null, { timeout: 3000 });
    assert.ok(await p.evaluate(() => document.body.classList.contains('offline')));
    assert.ok(await p.isVisible('#offline'));
    assert.match(await p.textContent('#offline-title'), /DISCONNECTED|CONNECTING|NO HEARTBEAT/);
    for (const sel of ['#hold', '#panic', '#back', '#msg-form button[type="submit"]'])
      assert.ok(await p.isDisabled(sel), `${sel} disabled`);
    await p.keyboard.press('Space'); // GO by key: nothing may go out either
    d.stdout = '';
    d.stderr = '';
    await d.spawn();
    await live(p);
    await p.waitForFunction(() => !document.getElementById('go').disabled, null, { timeout: 3000 });
    assert.ok(await p.isHidden('#offline'));
    assert.equal(rx.messages.length, 0, 'nothing was sent while down');
    assert.equal((await d.state()).show.state, 'idle');
  });
});

test('a refusal floats over the page, never moves GO, and goes by itself', async () => {
  await withDaemon({ config: { go_guard: '2s' } }, async (d, browser) => {
    const p = await producer(browser, d, { width: 1280, height: 800 });
    const before = await p.locator('#go').boundingBox();
    await p.click('#go');
    await p.click('#go');
    const alert = p.locator('.alert[data-code="go_guard"]');
    await alert.waitFor({ timeout: 3000 });
    assert.deepEqual(await p.locator('#go').boundingBox(), before, 'GO did not move');
    const shownAt = Date.now();
    await alert.waitFor({ state: 'detached', timeout: 7000 });
    const gone = Date.now() - shownAt;
    assert.ok(gone >= 3000 && gone <= 7000, `gone after ${gone} ms`);
  });
});

test('a timed stage message: the producer counts it down, both pages drop it when it clears', async () => {
  await withDaemon({}, async (d, browser) => {
    const p = await producer(browser, d, { width: 1280, height: 800 });
    const s = await openPage(browser, { origin: d.url });
    await s.goto(`${d.url}/stage/`);
    await live(s);
    await p.fill('#msg-text', 'WRAP');
    await p.fill('#msg-seconds', '2');
    await p.click('#msg-form button[type="submit"]');
    await s.waitForFunction(() => document.getElementById('message').textContent === 'WRAP', null, { timeout: 3000 });
    await p.waitForFunction(() => /clears in/.test(document.getElementById('msg-left').textContent), null, { timeout: 3000 });
    assert.equal((await d.state()).message.text, 'WRAP');
    await s.waitForFunction(() => document.getElementById('message').hidden, null, { timeout: 4000 });
    await p.waitForFunction(() => document.getElementById('msg-current').hidden && !document.getElementById('msg-left').textContent, null, { timeout: 2000 });
  });
});

test('long titles are never cut: producer and stage at 768x1024 and 390x844', layoutOnly, async () => {
  await withDaemon({}, async (d, browser) => {
    await d.api('goto', { item: 'two' });
    for (const [width, height] of [[768, 1024], [390, 844]]) {
      const p = await producer(browser, d, { width, height });
      const s = await openPage(browser, { origin: d.url, viewport: { width, height } });
      await s.goto(`${d.url}/stage/`);
      await live(s);
      for (const [page, sel] of [[p, '#run-title'], [s, '#title']]) {
        await page.waitForFunction((t) => document.querySelector(t.sel).textContent === t.text, { sel, text: LONG }, { timeout: 3000 });
        await sleep(100);
        const fits = await page.evaluate((q) => {
          const e = document.querySelector(q);
          return { h: e.scrollHeight <= e.clientHeight + 1, w: e.scrollWidth <= e.clientWidth + 1, px: getComputedStyle(e).fontSize, ellipsis: getComputedStyle(e).textOverflow };
        }, sel);
        assert.ok(fits.h && fits.w && fits.ellipsis !== 'ellipsis', `${width}x${height} ${sel}: ${JSON.stringify(fits)}`);
      }
      // The stage's tools stay on one line on a phone: the fullscreen button beside TENTHS.
      const [mode, fs] = [await s.locator('#mode').boundingBox(), await s.locator('#fullscreen').boundingBox()];
      if (fs) assert.ok(Math.abs(mode.y - fs.y) < mode.height / 2, `${width}x${height}: fullscreen wrapped (${mode.y} vs ${fs.y})`);
      await p.close();
      await s.close();
    }
  });
});

test('device answers: LANDED per cue, an error row in red and raised once, counts and round trips per target', layoutOnly, async () => {
  // A vMix-like device: 404 for a path with "404" in it, 200 for any other.
  const dev = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const bad = req.url.includes('404');
      res.writeHead(bad ? 404 : 200, { 'content-type': 'text/plain' });
      res.end(bad ? `no such input: ${req.url}` : 'OK');
    });
  });
  await new Promise((r) => dev.listen(0, '127.0.0.1', r));
  const rx = await new UdpReceiver().start();
  const cue = (id, path) => ({ id, at: '0', target: 'vmix', http: { path } });
  const d = await new Daemon({
    show: rundown({ items: [
      { id: 'a', title: 'Before the page', duration: '45s', cues: [cue('a-bad', '/api/404/?Function=Cut')] },
      { id: 'b', title: 'After', duration: '45s', cues: [cue('b-ok', '/api/?Function=Cut'), cue('b-bad', '/api/404/?Function=Fade'), { id: 'b-osc', at: '0', target: 'sw', osc: { address: '/cut' } }] },
      { id: 'c', title: 'End', duration: '45s', cues: [] },
    ] }),
    targets: { vmix: { url: `http://127.0.0.1:${dev.address().port}` }, sw: { url: rx.url } },
  }).start();
  const browser = await launch();
  try {
    assert.equal((await d.api('go')).status, 200);
    await waitFor(async () => (await d.state()).cues.some((c) => c.cue === 'a-bad' && c.answer === 'error'), 3000, 'a-bad answered');
    const p = await producer(browser, d, { width: 1280, height: 800 }, 'c');
    const row = (id) => p.locator('#cuelog tr', { has: p.locator(`td.c-cue[title^="${id} "]`) });
    // An error from before the page opened: red in the log, but no alert.
    await row('a-bad').and(p.locator('.answer-bad')).waitFor({ timeout: 3000 });
    await sleep(300);
    assert.equal(await p.locator('.alert[data-code^="answer_"]').count(), 0, 'no alert for an entry already there');
    await p.click('#go');
    const alert = p.locator('.alert[data-code="answer_error"]');
    await alert.waitFor({ timeout: 3000 });
    assert.match(await alert.innerText(), /Cue b-bad \u2192 vmix: error[\s\S]*HTTP 404: no such input: \/api\/404\/\?Function=Fade/);
    await alert.evaluate((e) => { e.dataset.probe = 'first'; });
    await waitFor(async () => (await row('b-ok').locator('.c-landed').textContent()).startsWith('ok'), 3000, 'b-ok landed');
    assert.match(await row('b-ok').locator('.c-landed').textContent(), /^ok \d+(\.\d)? ms$/);
    assert.doesNotMatch((await row('b-ok').getAttribute('class')) || '', /answer-bad/);
    assert.equal(await row('b-osc').locator('.c-landed').textContent(), '', 'a target that does not answer');
    assert.match(await row('b-bad').getAttribute('class'), /answer-bad/);
    assert.match(await row('b-bad').locator('.c-landed').textContent(), /^error HTTP 404: no such input/);
    assert.match(await row('b-bad').locator('.c-landed').getAttribute('title'), /HTTP 404: no such input: \/api\/404\/\?Function=Fade/);
    const card = p.locator('#targets .target[data-name="vmix"]');
    await waitFor(async () => /ok 1 \u00b7 err 2/.test(await card.innerText()), 3000, 'the counts');
    assert.match(await card.innerText(), /p50 \d+(\.\d)? ms p99 \d+(\.\d)? ms/);
    assert.match(await card.locator('.tlast').textContent(), /b-bad: HTTP 404|a-bad: HTTP 404/);
    assert.equal(await p.locator('#targets .target[data-name="sw"] .tanswers').count(), 0);
    // The log fits its panel at 1280 wide: no sideways scrolling.
    const wrap = await p.evaluate(() => { const w = document.querySelector('.p-log .table-wrap'); return [w.scrollWidth, w.clientWidth]; });
    assert.ok(wrap[0] <= wrap[1], `cue log ${wrap[0]} wide in ${wrap[1]}`);
    // Later state pushes do not raise it again.
    await d.api('message', { text: 'STAND BY', color: 'blue' });
    await sleep(300);
    assert.equal(await p.locator('.alert[data-code^="answer_"]').count(), 1);
    assert.equal(await alert.getAttribute('data-probe'), 'first', 'the same alert, not raised again');
    mkdirSync(SHOTS, { recursive: true });
    await p.screenshot({ path: join(SHOTS, 'producer-answers-1280x800.png') });
    assert.deepEqual(p.errors, []);
  } finally {
    await browser.close();
    const ex = await d.stop();
    rx.close();
    dev.close();
    d.cleanup();
    assert.equal(ex.code, 0, d.stderr);
  }
});

test('screenshots of the pages at laptop, tablet and phone sizes (build/screenshots/)', layoutOnly, async () => {
  mkdirSync(SHOTS, { recursive: true });
  // The demo show as make run runs it: moved to today, with devices that answer.
  const osc = await new UdpReceiver().start();
  const tcp = await new TcpReceiver().start();
  const gfx = await new WsReceiver().start();
  const d = await new Daemon({
    show: readFileSync(join(ROOT, 'config/evening-news.json'), 'utf8'),
    targets: { switcher: { url: osc.url }, prompter: { url: osc.url }, audio: { url: tcp.url }, gfx: { url: gfx.url } },
    args: ['--demo'],
  }).start();
  const browser = await launch();
  try {
    assert.equal((await d.api('go')).status, 200);
    await osc.waitCount(3);
    await d.api('message', { text: 'WRAP IN 30', color: 'red', seconds: 300 });
    const sizes = [[1280, 800], [768, 1024], [390, 844]];
    const views = [['index', '/'], ['stage', '/stage/'], ['producer', `/producer/?token=${d.token}`]];
    for (const [name, path] of views) {
      for (const [width, height] of sizes) {
        const p = await openPage(browser, { origin: d.url, viewport: { width, height } });
        await p.goto(`${d.url}${path}`);
        if (name !== 'index') await live(p);
        await sleep(400);
        await p.screenshot({ path: join(SHOTS, `${name}-${width}x${height}.png`) });
        assert.deepEqual(p.errors, [], `${name} ${width}x${height}: page errors`);
        await p.close();
      }
    }
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
