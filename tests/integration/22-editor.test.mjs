// The rundown editor (/editor/) in headless Debian chromium against the real daemon: a
// five-item show built from a one-item one through the page only (typing, the keyboard and
// drag and drop), saved, then run: GO reaches a UDP receiver at the times typed in. A field
// error is shown at its field with the daemon's own words before saving, and the save is
// refused; two editors that both edit: the second is told who saved and overwrites nothing; a
// restore of version 1 puts it back on air as a new version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DAEMON, Daemon, rundown, sleep, waitFor } from './lib/daemon.mjs';
import { UdpReceiver } from './lib/peers.mjs';
import { launch, openPage } from './lib/browser.mjs';

const skip = { skip: /asan/.test(DAEMON) && 'the editor page only: run with the normal build' };
const TOL = 50; // ms: cue arrival against the times typed in

// The show the editor starts from: the format needs one item.
const oneItem = () => rundown({ title: 'Empty show', items: [{ id: 'placeholder', title: 'Placeholder', duration: '10s' }] });

async function withEditor(fn) {
  const rx = await new UdpReceiver().start();
  const d = await new Daemon({ show: oneItem(), targets: { sw: { url: rx.url } } }).start();
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

async function editor(browser, d, author) {
  const p = await openPage(browser, { origin: d.url, viewport: { width: 1280, height: 800 } });
  p.on('dialog', (dlg) => dlg.accept());
  await p.goto(`${d.url}/editor/?token=${d.token}`);
  await p.waitForSelector('body[data-state="ready"]', { timeout: 5000 });
  await checked(p);
  if (author) await p.fill('#author', author);
  return p;
}

// The draft as typed so far has been checked by the daemon.
const checked = (p) => p.waitForSelector('body[data-check="done"]', { timeout: 5000 });
const row = (i) => `tbody.item[data-index="${i}"]`;

async function get(d, path) {
  const res = await fetch(`${d.url}${path}`, { headers: { authorization: `Bearer ${d.token}` } });
  return { status: res.status, body: await res.json() };
}
async function put(d, body) {
  const res = await fetch(`${d.url}/api/rundown`, {
    method: 'PUT', headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function saveAndWait(p) {
  await checked(p);
  await p.click('#save');
  await p.waitForFunction(() => document.body.dataset.dirty === 'false' && /Saved as version/.test(document.getElementById('save-status').textContent), null, { timeout: 5000 });
}

// Fills the focused item's row: its title, start rule and duration, then one OSC cue.
async function fillItem(p, i, { title, start, duration, at, address }) {
  await p.fill(`${row(i)} input[data-field="title"]`, title);
  if (start) await p.selectOption(`${row(i)} select[data-field="start"]`, start);
  await p.fill(`${row(i)} input[data-field="duration"]`, duration);
  // The details by the keyboard: Alt+E on the row.
  await p.focus(`${row(i)} input[data-field="duration"]`);
  await p.keyboard.press('Alt+KeyE');
  await p.waitForSelector(`${row(i)}.open`);
  await p.click(`${row(i)} button[data-action="add-cue"]`);
  const cue = `${row(i)} .cue[data-cue-index="0"]`;
  await p.waitForSelector(cue);
  assert.equal(await p.inputValue(`${cue} select[data-field="cue-target"]`), 'sw');
  await p.fill(`${cue} input[data-field="cue-at"]`, at);
  await p.fill(`${cue} input[data-field="osc-address"]`, address);
  await p.click(`${cue} button[data-action="add-arg"]`);
  await p.fill(`${cue} input[data-field="osc-value"]`, String(i + 1));
}

test('a five-item show built in the editor only, saved, then run: GO sends each cue at the time typed in', skip, async () => {
  await withEditor(async (d, browser, rx) => {
    const p = await editor(browser, d, 'Ana');
    assert.equal(await p.locator('tbody.item').count(), 1);
    assert.ok(await p.isDisabled('#save'), 'nothing to save yet');
    // The wanted show: One (GO) then four items that follow, 1 s each; a cue in each.
    // Cue times from the GO: one 0, two 1500, three 2800 (end-200ms), four 2700 (pre-roll
    // 300ms), five 4000.
    await fillItem(p, 0, { title: 'One', duration: '1s', at: '0', address: '/one' });
    // Two by the button, Three by Alt+N.
    await p.click('#add-item');
    await p.waitForSelector(row(1));
    assert.equal(await p.evaluate(() => document.activeElement.dataset.field), 'title', 'a new item focuses its title');
    await fillItem(p, 1, { title: 'Two', start: 'follow', duration: '1s', at: '500ms', address: '/two' });
    await p.focus(`${row(1)} input[data-field="title"]`);
    await p.keyboard.press('Alt+KeyN');
    await p.waitForSelector(row(2));
    await fillItem(p, 2, { title: 'Three', start: 'follow', duration: '1s', at: 'end-200ms', address: '/three' });
    // Five before Four, then Four moved up with Alt+Up above it.
    await p.focus(`${row(2)} input[data-field="title"]`);
    await p.keyboard.press('Alt+KeyN');
    await fillItem(p, 3, { title: 'Five', start: 'follow', duration: '1s', at: '0', address: '/five' });
    await p.focus(`${row(3)} input[data-field="title"]`);
    await p.keyboard.press('Alt+KeyN');
    await fillItem(p, 4, { title: 'Four', start: 'follow', duration: '1s', at: '-300ms', address: '/four' });
    await p.focus(`${row(4)} input[data-field="title"]`);
    await p.keyboard.press('Alt+ArrowUp');
    await p.waitForFunction(() => document.querySelector('tbody.item[data-index="3"] input[data-field="title"]').value === 'Four');
    assert.equal(await p.evaluate(() => document.activeElement.closest('tbody.item').dataset.index), '3', 'the focus moved with the item');
    // A sixth item, dragged up above Four by its handle (rows in view: the open details
    // make the table taller than the panel), then deleted.
    // #add-item inserts after the row in focus (Four) and focuses the new title.
    await p.click('#add-item');
    await p.keyboard.type('Spare');
    const spare = await p.evaluate(() => document.activeElement.closest('tbody.item').dataset.index);
    assert.equal(spare, '4');
    await p.dragAndDrop(`${row(4)} .handle`, `${row(3)} td.c-planned`, { targetPosition: { x: 4, y: 4 } });
    await p.waitForFunction(() => document.querySelector('tbody.item[data-index="3"] input[data-field="title"]').value === 'Spare');
    assert.equal(await p.inputValue(`${row(4)} input[data-field="title"]`), 'Four');
    await p.click(`${row(3)} button[data-action="delete"]`);
    await p.waitForSelector('#toast:not([hidden])');
    assert.equal(await p.locator('tbody.item').count(), 5);

    const titles = await p.$$eval('tbody.item input[data-field="title"]', (els) => els.map((e) => e.value));
    assert.deepEqual(titles, ['One', 'Two', 'Three', 'Four', 'Five']);
    await checked(p);
    assert.equal(await p.getAttribute('body', 'data-errors'), '0', await p.textContent('#check-status'));
    // The plan is the daemon's: planned starts 1 s apart from the first GO.
    const planned = await p.$$eval('tbody.item td.c-planned', (els) => els.map((e) => e.textContent));
    assert.deepEqual(planned, ['+0:00', '+0:01', '+0:02', '+0:03', '+0:04']);
    assert.equal(await p.getAttribute('body', 'data-dirty'), 'true');
    assert.ok(!(await p.isHidden('#dirty')), 'unsaved changes are marked');

    await saveAndWait(p);
    const on = await waitFor(async () => {
      const r = (await get(d, '/api/rundown')).body;
      return r.items.length === 5 ? r : null;
    }, 3000, 'the saved rundown on air');
    assert.deepEqual(on.items.map((it) => it.title), ['One', 'Two', 'Three', 'Four', 'Five']);
    assert.deepEqual(on.items.map((it) => it.start_rule), ['go', 'follow', 'follow', 'follow', 'follow']);
    const file = JSON.parse(readFileSync(d.showPath, 'utf8'));
    assert.equal(file.items[2].cues[0].at, 'end-200ms');
    // Four was typed in at row 4 (its argument is 5) and moved up with Alt+Up.
    assert.deepEqual(file.items[3].cues[0].osc, { address: '/four', args: [5] });

    assert.equal((await d.api('go')).status, 200);
    await rx.waitCount(5, 8000);
    const at = Object.fromEntries(rx.messages.map((m) => [m.msg.address, m.at]));
    const t0 = at['/one'];
    const want = { '/one': 0, '/two': 1500, '/three': 2800, '/four': 2700, '/five': 4000 };
    for (const [addr, ms] of Object.entries(want)) {
      assert.ok(at[addr] !== undefined, `${addr} arrived`);
      assert.ok(Math.abs(at[addr] - t0 - ms) <= TOL, `${addr} at ${at[addr] - t0} ms after /one, wanted ${ms}`);
    }
    assert.deepEqual(rx.messages.find((m) => m.msg.address === '/three').msg.args.map((a) => a.value ?? a), [3]);
    assert.deepEqual(p.errors, []);
  });
});

test('a field error is shown at its field with the daemon\'s words before saving, and nothing is saved', skip, async () => {
  await withEditor(async (d, browser) => {
    const before = (await get(d, '/api/versions')).body.versions.length;
    const onDisk = readFileSync(d.showPath, 'utf8');
    const p = await editor(browser, d, 'Ana');
    await p.fill(`${row(0)} input[data-field="duration"]`, '5x');
    await checked(p);
    // The daemon's words for the same draft.
    const src = (await get(d, '/api/rundown/source')).body;
    src.rundown.items[0].duration = '5x';
    const words = (await (await fetch(`${d.url}/api/rundown/check`, {
      method: 'POST', headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ rundown: src.rundown }),
    })).json()).findings.find((f) => f.path === 'items[0].duration');
    assert.ok(words, 'the daemon finds the bad duration');
    assert.equal(await p.getAttribute(`${row(0)} input[data-field="duration"]`, 'aria-invalid'), 'true');
    const shown = p.locator(`${row(0)} .finding[data-path="items[0].duration"]`);
    assert.equal(await shown.count(), 1);
    assert.equal(await shown.locator('.f-msg').textContent(), words.message);
    assert.equal(await shown.getAttribute('data-severity'), 'error');
    assert.ok(await shown.isVisible());
    // SAVE refuses: disabled, and Ctrl+S says why.
    assert.ok(await p.isDisabled('#save'));
    await p.keyboard.press('Control+KeyS');
    await p.waitForFunction(() => /error/.test(document.getElementById('save-status').textContent));
    // The daemon refuses the same save too (400 with the finding), and nothing was written.
    const r = await put(d, { rev: src.rev, rundown: src.rundown, author: 'test', source: 'editor' });
    assert.equal(r.status, 400);
    assert.ok(r.body.findings.some((f) => f.path === 'items[0].duration' && f.message === words.message));
    assert.equal((await get(d, '/api/versions')).body.versions.length, before);
    assert.equal(readFileSync(d.showPath, 'utf8'), onDisk);
    // Fixed: the finding goes, SAVE comes back.
    await p.fill(`${row(0)} input[data-field="duration"]`, '5s');
    await checked(p);
    assert.equal(await p.locator('.finding[data-path="items[0].duration"]').count(), 0);
    assert.ok(!(await p.isDisabled('#save')));
  });
});

test('two editors: the second save is refused with who saved since, and overwrites nothing', skip, async () => {
  await withEditor(async (d, browser) => {
    const a = await editor(browser, d, 'Ana');
    const b = await editor(browser, d, 'Ben');
    await a.fill(`${row(0)} input[data-field="title"]`, 'Edited by Ana');
    await b.fill(`${row(0)} input[data-field="duration"]`, '20s');
    await saveAndWait(a);
    await checked(b);
    await b.click('#save');
    await b.waitForSelector('#conflict:not([hidden])', { timeout: 5000 });
    const msg = await b.textContent('#conflict-message');
    assert.match(msg, /saved since/);
    assert.match(msg, /Ana/);
    assert.equal(await b.getAttribute('body', 'data-dirty'), 'true', 'the draft is kept');
    const file = JSON.parse(readFileSync(d.showPath, 'utf8'));
    assert.equal(file.items[0].title, 'Edited by Ana');
    assert.equal(file.items[0].duration, '10s', 'Ben overwrote nothing');
    // "Load theirs" (after a confirm) replaces the draft with the version on air.
    await b.click('#load-theirs');
    await b.waitForFunction(() => document.body.dataset.dirty === 'false');
    assert.equal(await b.inputValue(`${row(0)} input[data-field="title"]`), 'Edited by Ana');
    assert.equal(await b.inputValue(`${row(0)} input[data-field="duration"]`), '10s');
    // The refused save is a 409 by design: Chromium logs every 4xx as a console error.
    const unexpected = [...a.errors, ...b.errors].filter((e) => !/responded with a status of 409/.test(e));
    assert.deepEqual(unexpected, []);
  });
});

test('restore version 1: back on air, as a new version that says restore_of 1', skip, async () => {
  await withEditor(async (d, browser) => {
    const first = (await get(d, '/api/versions')).body.versions;
    assert.equal(first.length, 1);
    const v1 = first[0].version;
    const p = await editor(browser, d, 'Ana');
    await p.fill('#show-title', 'Renamed show');
    await p.fill(`${row(0)} input[data-field="title"]`, 'Renamed item');
    await saveAndWait(p);
    assert.equal((await get(d, '/api/rundown')).body.title, 'Renamed show');
    await p.click('#versions-toggle');
    await p.waitForSelector(`#versions-list li.version[data-version="${v1}"]`);
    // The diff from version 1 to the one on air, readably.
    await p.click(`#versions-list li.version[data-version="${v1}"] button.v-diff`);
    await p.waitForSelector('#diff-body .diff-field[data-field="title"]');
    assert.match(await p.textContent('#diff-body'), /Renamed item/);
    await p.click(`#versions-list li.version[data-version="${v1}"] button.v-restore`);
    await p.waitForFunction(() => /Restored/.test(document.getElementById('save-status').textContent), null, { timeout: 5000 });
    const on = await waitFor(async () => {
      const r = (await get(d, '/api/rundown')).body;
      return r.title === 'Empty show' ? r : null;
    }, 3000, 'version 1 on air again');
    assert.equal(on.items[0].title, 'Placeholder');
    const vs = (await get(d, '/api/versions')).body.versions;
    assert.equal(vs.length, 3);
    assert.equal(vs[0].restore_of, v1);
    assert.equal(vs[0].on_air, true);
    assert.equal(on.rev, vs[0].version);
    // The page follows: version 3 loaded, the list shows it on air.
    await p.waitForSelector(`#versions-list li.version[data-version="${vs[0].version}"][data-on-air="true"]`);
    assert.equal(await p.inputValue('#show-title'), 'Empty show');
    await sleep(50);
    assert.deepEqual(p.errors, []);
  });
});
