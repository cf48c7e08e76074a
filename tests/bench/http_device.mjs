// The bench's HTTP device: Node's `http` server on 127.0.0.1, in a child process
// of its own (so the bench's event loop does not delay it), answering every
// request 200 "OK" at once (keep-alive; the daemon pipelines on one connection).
//
//   node tests/bench/http_device.mjs
//
// Prints "port N" when it listens. A request whose query has i=N is a bench
// cue: its arrival time is performance.timeOrigin + performance.now() (wall
// clock, µs) when the 'request' event runs. On "stop" (a line on stdin) it
// prints one JSON line and exits:
//   {"requests":n,"other":n,"dups":n,"connections":n,"arrivals":[[i,us],...]}
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const arrivals = new Map();
let requests = 0, other = 0, dups = 0, connections = 0;

const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  const at = Math.round((performance.timeOrigin + performance.now()) * 1000);
  requests++;
  const m = /[?&]i=(\d+)/.exec(req.url);
  if (!m) other++;
  else if (arrivals.has(Number(m[1]))) dups++;
  else arrivals.set(Number(m[1]), at);
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
  res.end('OK');
  req.resume();
});
server.on('connection', () => { connections++; });
server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${server.address().port}\n`));

createInterface({ input: process.stdin }).on('line', (l) => {
  if (l.trim() !== 'stop') return;
  process.stdout.write(`${JSON.stringify({ requests, other, dups, connections, arrivals: [...arrivals] })}\n`, () => process.exit(0));
});
process.stdin.on('end', () => process.exit(0));
