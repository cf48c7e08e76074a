// An HTTP-controlled device (a vMix-style web API) on Node's own `http`
// server, for black-box tests of the daemon's http:// targets.
//
// Routes (under any base path: the last path segment decides, the query is ignored):
//   .../ok        200, body "OK <method> <path>"
//   .../created   201, body "created"
//   .../empty     204, no body
//   .../missing   404, body "no such function: <path>"
//   .../broken    500, body "internal failure in <method>"
//   .../long      500, a body of 1000 bytes (for the detail's 256-byte cut)
//   .../hang      never answers (the request stays open until close())
//   .../drop      destroys the socket without answering
//   .../slow      200 after `slowMs` (default 150 ms)
//   anything else 404, body "not found"
//
// Each request is recorded once its body has arrived:
//   { method, url, path, headers, body, at, remotePort, remoteAddress, httpVersion }
import http from 'node:http';

export async function startHttpDevice({ port = 0, slowMs = 150 } = {}) {
  const dev = { requests: [], sockets: new Set(), hanging: [] };
  dev.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (b) => chunks.push(b));
    req.on('end', () => {
      const path = req.url.split('?')[0];
      const last = path.split('/').filter(Boolean).pop() || '';
      dev.requests.push({
        method: req.method,
        url: req.url,
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        remotePort: req.socket.remotePort,
        remoteAddress: req.socket.remoteAddress,
        httpVersion: req.httpVersion,
      });
      const send = (status, body, type = 'text/plain') => {
        res.writeHead(status, body === '' ? {} : { 'content-type': type, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      switch (last) {
        case 'ok': return send(200, `OK ${req.method} ${path}`);
        case 'created': return send(201, 'created');
        case 'empty': res.writeHead(204); return res.end();
        case 'missing': return send(404, `no such function: ${path}`);
        case 'broken': return send(500, `internal failure in ${req.method}`);
        case 'long': return send(500, 'L'.repeat(1000));
        case 'hang': dev.hanging.push(res); return undefined;
        case 'drop': return req.socket.destroy();
        case 'slow': setTimeout(() => send(200, 'slow ok'), slowMs); return undefined;
        default: return send(404, 'not found');
      }
    });
  });
  dev.server.keepAliveTimeout = 30000;
  dev.server.headersTimeout = 31000;
  dev.server.requestTimeout = 0;
  dev.server.on('connection', (s) => {
    dev.sockets.add(s);
    s.on('close', () => dev.sockets.delete(s));
  });
  dev.server.on('clientError', (_e, s) => s.destroy());
  await new Promise((r, j) => { dev.server.once('error', j); dev.server.listen(port, '127.0.0.1', r); });
  dev.port = dev.server.address().port;
  dev.url = (base = '') => `http://127.0.0.1:${dev.port}${base}`;
  dev.waitRequests = async (n, ms = 3000) => {
    const until = Date.now() + ms;
    while (dev.requests.length < n) {
      if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${n} HTTP requests; got ${dev.requests.map((r) => `${r.method} ${r.url}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return dev.requests;
  };
  dev.close = async () => {
    for (const s of dev.sockets) s.destroy();
    await new Promise((r) => dev.server.close(() => r()));
  };
  return dev;
}
