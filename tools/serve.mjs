#!/usr/bin/env node
// A small static file server that answers HTTP Range requests (RFC 9110
// section 14): one range as 206 with Content-Range, several as a 206
// multipart/byteranges body, an unsatisfiable one as 416. The page loads
// large indexes in tiers over Range (docs/WEB.md); `python3 -m http.server`
// ignores Range and sends whole files.
//
//   node tools/serve.mjs DIR [--port 8080] [--host 127.0.0.1] [--isolate]
//
// --isolate adds COOP/COEP headers (cross-origin isolation: ONNX Runtime
// Web then runs multi-threaded). Also a module: startStaticServer() and the
// range helpers, which the page tests and bench/page_scale.mjs use.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8',
  '.onnx': 'application/octet-stream',
};

const MAX_RANGES = 4096;  // a request asking for more is answered whole

// `Range: bytes=a-b, c-, -n` against a file of `size` bytes: [{start, end}]
// (end inclusive), null when there is no usable Range header (answer 200),
// or 'unsatisfiable' (answer 416).
export function parseRange(header, size) {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!m) return null;
  const parts = m[1].split(',');
  if (parts.length > MAX_RANGES) return null;
  const ranges = [];
  for (const part of parts) {
    const r = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(part);
    if (!r || (r[1] === '' && r[2] === '')) return null;  // malformed: ignore the header, as RFC 9110 allows
    let start;
    let end;
    if (r[1] === '') {  // the last n bytes
      const n = Number(r[2]);
      if (n === 0) continue;
      start = Math.max(0, size - n);
      end = size - 1;
    } else {
      start = Number(r[1]);
      end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
      if (r[2] !== '' && Number(r[2]) < start) return null;
    }
    if (start < size && start <= end) ranges.push({ start, end });
  }
  return ranges.length ? ranges : 'unsatisfiable';
}

// What sendFile reads from: a file (only the bytes asked for are read) or
// bytes in memory.
export function fileSource(file) {
  const size = fs.statSync(file).size;
  return {
    size,
    read(start, end) {  // end inclusive
      const out = Buffer.alloc(end - start + 1);
      const fd = fs.openSync(file, 'r');
      try {
        let at = 0;
        while (at < out.length) {
          const n = fs.readSync(fd, out, at, out.length - at, start + at);
          if (n === 0) break;
          at += n;
        }
      } finally {
        fs.closeSync(fd);
      }
      return out;
    },
  };
}

export function bufferSource(buffer) {
  return { size: buffer.length, read: (start, end) => buffer.subarray(start, end + 1) };
}

// Writes a 200, 206 or 416 answer for `source` (fileSource, bufferSource, or
// a Buffer) to a GET or HEAD.
export function sendFile(req, res, source, headers) {
  const src = Buffer.isBuffer(source) ? bufferSource(source) : source;
  const size = src.size;
  const ranges = req.method === 'GET' || req.method === 'HEAD' ? parseRange(req.headers.range, size) : null;
  headers['accept-ranges'] = 'bytes';
  if (ranges === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${size}`, 'content-length': 0 });
    res.end();
    return;
  }
  if (!ranges) {
    res.writeHead(200, { ...headers, 'content-length': size });
    res.end(req.method === 'HEAD' || size === 0 ? undefined : src.read(0, size - 1));
    return;
  }
  if (ranges.length === 1) {
    const { start, end } = ranges[0];
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
    res.end(req.method === 'HEAD' ? undefined : src.read(start, end));
    return;
  }
  const boundary = `clipsearch-${Math.random().toString(16).slice(2)}`;
  const type = headers['content-type'] || 'application/octet-stream';
  const chunks = [];
  for (const { start, end } of ranges) {
    chunks.push(Buffer.from(`\r\n--${boundary}\r\ncontent-type: ${type}\r\ncontent-range: bytes ${start}-${end}/${size}\r\n\r\n`));
    chunks.push(src.read(start, end));
  }
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  const payload = Buffer.concat(chunks);
  res.writeHead(206, { ...headers, 'content-type': `multipart/byteranges; boundary=${boundary}`, 'content-length': payload.length });
  res.end(req.method === 'HEAD' ? undefined : payload);
}

function countBody(res, onSent) {
  let bytes = 0;
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = (chunk, ...rest) => {
    bytes += chunk?.length || 0;
    return write(chunk, ...rest);
  };
  res.end = (chunk, ...rest) => {
    bytes += typeof chunk === 'function' ? 0 : chunk?.length || 0;
    return end(chunk, ...rest);
  };
  res.on('finish', () => onSent(bytes));
}

// The file a URL path names under `dir`, never outside it; a folder's index.html.
export function resolveUnder(dir, urlPath) {
  let rel;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const file = path.resolve(dir, `./${rel}`);
  if (file !== dir && !file.startsWith(dir + path.sep)) return null;
  try {
    return fs.statSync(file).isDirectory() ? path.join(file, 'index.html') : file;
  } catch {
    return file;
  }
}

// `onSent(bytes)` hears the body size of every answer once it is sent (the
// page benchmark counts what the page downloads with it).
export async function startStaticServer({ root, port = 0, host = '127.0.0.1', isolate = false, onSent = null }) {
  const dir = path.resolve(root);
  const server = http.createServer((req, res) => {
    if (onSent) countBody(res, onSent);
    const headers = { 'cache-control': 'no-cache' };
    if (isolate) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    const file = resolveUnder(dir, new URL(req.url, 'http://x').pathname);
    let source = null;
    try {
      source = file && fs.statSync(file).isFile() ? fileSource(file) : null;
    } catch {
      source = null;
    }
    if (!source) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    headers['content-type'] = TYPES[path.extname(file)] || 'application/octet-stream';
    try {
      sendFile(req, res, source, headers);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`cannot read ${path.basename(file)}: ${err.message}`);
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  return { server, url: `http://${host}:${server.address().port}/`, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : fallback;
  };
  const port = Number(opt('--port', '8080'));
  const host = opt('--host', '127.0.0.1');
  const isolateAt = args.indexOf('--isolate');
  if (isolateAt >= 0) args.splice(isolateAt, 1);
  if (args.length !== 1 || !Number.isInteger(port)) {
    console.error('usage: node tools/serve.mjs DIR [--port 8080] [--host 127.0.0.1] [--isolate]');
    process.exit(2);
  }
  const { url } = await startStaticServer({ root: args[0], port, host, isolate: isolateAt >= 0 });
  console.error(`Serving ${args[0]} on ${url} (HTTP Range requests supported; Ctrl-C to stop)`);
}
