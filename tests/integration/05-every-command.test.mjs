// Every command through each door: the same table decodes them, the same
// dispatcher runs them, and each door answers in its own form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, rundown, waitFor } from './lib/daemon.mjs';
import { UdpReceiver, Client, OscClient } from './lib/peers.mjs';

// Each step: the command, its named arguments, its OSC form, and the error
// code expected in that state of the show (null when it succeeds).
const steps = [
  ['rehearsal', { on: true }, [{ type: 'T' }], null],
  ['rehearsal', { on: false }, [{ type: 'i', value: 0 }], null],
  ['message', { text: 'WRAP', color: 'red' }, [{ type: 's', value: 'WRAP' }, { type: 's', value: 'red' }], null],
  ['clear_message', {}, [], null],
  ['skip', { item: 'c' }, [{ type: 's', value: 'c' }], null],
  ['skip', { item: 'c', on: false }, [{ type: 's', value: 'c' }, { type: 'F' }], null],
  ['back', {}, [], 'nothing_back'],
  ['hold', {}, [], 'not_running'],
  ['go', {}, [], null],
  ['add', { seconds: 10 }, [{ type: 'f', value: 10 }], null],
  ['add', { seconds: -5 }, [{ type: 'i', value: -5 }], null],
  ['hold', {}, [], null],
  ['resume', {}, [], null],
  ['resume', {}, [], 'not_holding'],
  ['fire', { cue: 'a-cut' }, [{ type: 's', value: 'a-cut' }], null],
  ['goto', { item: 'c' }, [{ type: 's', value: 'c' }], null],
  ['back', {}, [], null],
  ['panic', {}, [], null],
  ['reload', {}, [], null],
];

function show() {
  return rundown({
    items: ['a', 'b', 'c'].map((id) => ({
      id, title: id.toUpperCase(), duration: '30s',
      cues: [{ id: `${id}-cut`, target: 'sw', osc: { address: `/${id}` } }],
    })),
  });
}

for (const door of ['ws', 'http', 'osc']) {
  test(`every command through the ${door} door`, async () => {
    const rx = await new UdpReceiver().start();
    const d = await new Daemon({ show: show(), targets: { sw: { url: rx.url } }, config: { go_guard: '0' } }).start();
    const c = door === 'ws' ? await new Client(`${d.wsUrl}?token=${d.token}`).open() : null;
    const o = door === 'osc' ? await new OscClient().start() : null;
    let replies = 0;
    try {
      for (const [cmd, args, oscArgs, code] of steps) {
        let ok, error;
        if (door === 'ws') {
          const r = await c.cmd(cmd, args);
          ok = r.ok;
          error = r.error && r.error.code;
        } else if (door === 'http') {
          const r = await d.api(cmd, args);
          ok = r.body.ok;
          error = r.body.error && r.body.error.code;
          assert.equal(r.status, ok ? 200 : 409, `${cmd}: HTTP ${r.status}`);
        } else {
          o.send(d.osc, `/showcaller/${cmd}`, oscArgs);
          const r = await o.reply(++replies);
          const [name, okv, codev] = r.args.map((a) => a.value);
          assert.equal(name, cmd);
          ok = okv === 1;
          error = codev || undefined;
        }
        assert.equal(ok, code === null, `${door} ${cmd} ${JSON.stringify(args)}: ok ${ok}, error ${error}`);
        if (code) assert.equal(error, code, `${door} ${cmd}`);
      }
      const st = await d.state();
      assert.equal(st.show.state, 'panic'); // after panic, until GO, goto or resume
      assert.equal(st.current.id, 'a'); // back from c returned to a
      // The as-run log is written asynchronously: wait for the last record.
      await waitFor(() => d.asrun().filter((x) => x.kind === 'command').length >= steps.length, 3000, 'every command record');
      const cmds = d.asrun().filter((x) => x.kind === 'command');
      assert.equal(cmds.length, steps.length);
      assert.ok(cmds.every((x) => x.door === door));
    } finally {
      if (c) c.close();
      if (o) o.close();
      assert.equal((await d.stop()).code, 0);
      rx.close();
      d.cleanup();
    }
  });
}
