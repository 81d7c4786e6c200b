// A small static file server for the page tests, on 127.0.0.1 and a random
// port. Like any static host, plus switches a test can flip:
//   block(prefix)        requests under prefix fail at the network level
//   damage(path, mode)   serve a file damaged ('truncate': its first half)
//   mount(prefix, dir)   serve another folder (indexes built by a test)
//   delay(pattern, ms)   answer paths matching a RegExp only after ms
//   throttle(pattern, bytesPerSecond)  send matching bodies slowly, in chunks
//   isolate              COOP + COEP headers (cross-origin isolation, threads)
//   log                  every request seen, as {method, path, range}
//   ranges(mode)         how it answers HTTP Range requests: 'on' (the
//                        default: 206, multipart for several, as
//                        tools/serve.mjs), 'off' (ignores them and sends 200
//                        with the whole file, as python3 -m http.server),
//                        'single' (one range at a time; several get 200),
//                        or a hostile answer: 'wrong-range' (206 with other
//                        bytes and a Content-Range saying so), 'lying-range'
//                        (other bytes under the Content-Range asked for),
//                        'short' (a body shorter than its headers promise),
//                        '200' (200 with only the asked bytes)

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

import { TYPES, parseRange, sendFile } from '../../tools/serve.mjs';

const THROTTLE_TICK_MS = 50;

export async function startServer({ root, isolate = false }) {
  const mounts = [['/', path.resolve(root)]];
  const blocked = new Set();
  const damaged = new Map();
  const delays = [];
  const throttles = [];
  const log = [];
  let rangeMode = 'on';

  function resolve(urlPath) {
    // Longest mount prefix wins; never leave the mounted folder.
    const [prefix, dir] = mounts.filter(([p]) => urlPath.startsWith(p)).sort((a, b) => b[0].length - a[0].length)[0];
    const rel = decodeURIComponent(urlPath.slice(prefix.length));
    const file = path.resolve(dir, `./${rel}`);
    if (file !== dir && !file.startsWith(dir + path.sep)) return null;
    return fs.existsSync(file) && fs.statSync(file).isDirectory() ? path.join(file, 'index.html') : file;
  }

  const server = http.createServer((req, res) => {
    const urlPath = new URL(req.url, 'http://x').pathname;
    log.push({ method: req.method, path: urlPath, range: req.headers.range || '' });
    const wait = delays.find(([re]) => re.test(urlPath));
    if (wait) setTimeout(() => serve(req, res, urlPath), wait[1]);
    else serve(req, res, urlPath);
  });

  function serve(req, res, urlPath) {
    if ([...blocked].some((p) => urlPath.startsWith(p))) {
      req.socket.destroy();  // what an unreachable host looks like to fetch()
      return;
    }
    const headers = { 'cache-control': 'no-cache' };
    if (isolate) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    const file = resolve(urlPath);
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    let body = fs.readFileSync(file);
    if (damaged.get(urlPath) === 'truncate') body = body.subarray(0, body.length >> 1);
    headers['content-type'] = TYPES[path.extname(file)] || 'application/octet-stream';
    const rate = throttles.find(([re]) => re.test(urlPath))?.[1];
    if (req.headers.range && rangeMode !== 'off' && !rate) {
      answerRange(req, res, body, headers);
      return;
    }
    headers['content-length'] = body.length;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else if (rate) sendSlowly(res, body, rate);
    else res.end(body);
  }

  // Range answers, right (tools/serve.mjs) or wrong in the ways of broken servers.
  function answerRange(req, res, body, headers) {
    const ranges = parseRange(req.headers.range, body.length);
    if (rangeMode === 'on' || !Array.isArray(ranges)) {
      sendFile(req, res, body, headers);
      return;
    }
    if (rangeMode === 'single' && ranges.length > 1) {
      res.writeHead(200, { ...headers, 'content-length': body.length });
      res.end(body);
      return;
    }
    const { start, end } = ranges[0];
    const n = end - start + 1;
    if (rangeMode === 'single') {
      sendFile(req, res, body, headers);
    } else if (rangeMode === 'wrong-range') {
      // The same length from elsewhere in the file, and a header that says so.
      const from = start >= n ? start - n : Math.min(body.length - n, start + n);
      res.writeHead(206, { ...headers, 'content-range': `bytes ${from}-${from + n - 1}/${body.length}`, 'content-length': n });
      res.end(body.subarray(from, from + n));
    } else if (rangeMode === 'lying-range') {
      // Every range the right shape, each byte its neighbour's.
      const shifted = Buffer.concat([body.subarray(1), body.subarray(0, 1)]);
      sendFile(req, res, shifted, headers);
    } else if (rangeMode === 'short') {
      // Headers for the whole range, then the connection drops half-way.
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': n });
      res.write(body.subarray(start, start + (n >> 1)));
      setTimeout(() => res.destroy(), 10);
    } else if (rangeMode === '200') {
      res.writeHead(200, { ...headers, 'content-length': n });
      res.end(body.subarray(start, end + 1));
    } else {
      throw new Error(`unknown range mode ${rangeMode}`);
    }
  }

  // A slow link: one chunk every THROTTLE_TICK_MS, so progress can be seen.
  function sendSlowly(res, body, bytesPerSecond) {
    const chunk = Math.max(1, Math.round(bytesPerSecond * THROTTLE_TICK_MS / 1000));
    let offset = 0;
    const next = () => {
      if (res.destroyed) return;
      const end = Math.min(body.length, offset + chunk);
      res.write(body.subarray(offset, end));
      offset = end;
      if (offset < body.length) setTimeout(next, THROTTLE_TICK_MS);
      else res.end();
    };
    next();
  }
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}/`;

  return {
    url,
    log,
    ranges: (mode) => { rangeMode = mode; },
    block: (prefix) => blocked.add(prefix),
    unblock: () => blocked.clear(),
    damage: (urlPath, mode) => damaged.set(urlPath, mode),
    delay: (pattern, ms) => delays.push([pattern, ms]),
    undelay: () => delays.splice(0),
    throttle: (pattern, bytesPerSecond) => throttles.push([pattern, bytesPerSecond]),
    unthrottle: () => throttles.splice(0),
    mount: (prefix, dir) => mounts.push([prefix.endsWith('/') ? prefix : `${prefix}/`, path.resolve(dir)]),
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(ok);
    }),
  };
}
