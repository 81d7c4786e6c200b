// Parts of a file by HTTP Range, checked before anyone uses them: the
// status must be 206, every Content-Range must be the range asked for (or
// one covering it), every body exactly as long as it says. A server that
// ignores Range (python's http.server answers 200 with the whole file), one
// that answers other bytes, or a short body each throw a RangeFetchError
// that says which; the caller decides what to do (index_loader.js).
//
// Several ranges of one file go in one request (multipart/byteranges) when
// the server supports it; otherwise, or when it answers a multi-range
// request with the whole file, one request per range.

export class RangeFetchError extends Error {
  // reason: 'ignored' (200: no Range support) | 'wrong-range' | 'short' | 'http' | 'network'
  constructor(url, reason, detail, { status = 0, body = null } = {}) {
    super(`${url}: ${detail}`);
    this.name = 'RangeFetchError';
    this.url = url;
    this.reason = reason;
    this.detail = detail;
    this.status = status;
    this.body = body;  // for 'ignored': the whole file the server sent (or null)
  }
}

const MAX_RANGES_PER_REQUEST = 256;  // keeps the Range header well under common 8 KB limits
const PARALLEL_SINGLE_RANGES = 6;    // one browser connection pool's worth

// What this server has shown it supports, per origin.
const support = new Map();  // origin -> {multi: true|false|undefined}
const of = (url) => {
  const origin = new URL(url).origin;
  if (!support.has(origin)) support.set(origin, {});
  return support.get(origin);
};

// "bytes 0-99/1234" -> {start, end, total} (end inclusive), else null.
export function parseContentRange(value) {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value || '');
  if (!m) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) return null;
  return { start, end, total: m[3] === '*' ? null : Number(m[3]) };
}

const rangeText = (r) => `bytes ${r.start}-${r.start + r.length - 1}`;

async function request(url, header, signal) {
  try {
    return await fetch(url, { headers: { Range: header }, signal, cache: 'no-store' });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new RangeFetchError(url, 'network', `could not be downloaded (${err.message || 'network error'})`);
  }
}

async function body(response, url, expected) {
  let bytes;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    throw new RangeFetchError(url, 'short', `the connection broke off in the middle of a range (${err.message || 'network error'})`);
  }
  if (expected !== undefined && bytes.length !== expected) {
    throw new RangeFetchError(url, 'short', `a range answer has ${bytes.length} bytes, but its headers promise ${expected}`);
  }
  return bytes;
}

// The bytes of `asked` (each {start, length}) inside a part that covers
// [part.start, part.end].
function cut(part, bytes, asked, out, url) {
  for (let i = 0; i < asked.length; ++i) {
    const a = asked[i];
    if (out[i] || a.start < part.start || a.start + a.length - 1 > part.end) continue;
    out[i] = bytes.subarray(a.start - part.start, a.start - part.start + a.length);
  }
}

// Parts of a multipart/byteranges body.
function multipartParts(bytes, boundary, url) {
  const text = new TextDecoder('latin1');
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const find = (from) => {
    outer: for (let i = from; i <= bytes.length - delimiter.length; ++i) {
      for (let j = 0; j < delimiter.length; ++j) if (bytes[i + j] !== delimiter[j]) continue outer;
      return i;
    }
    return -1;
  };
  const parts = [];
  let at = find(0);
  while (at >= 0) {
    let p = at + delimiter.length;
    if (bytes[p] === 0x2d && bytes[p + 1] === 0x2d) break;  // closing delimiter
    // Headers end at the first blank line.
    let headersEnd = -1;
    for (let i = p; i + 3 < bytes.length; ++i) {
      if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
        headersEnd = i;
        break;
      }
    }
    if (headersEnd < 0) throw new RangeFetchError(url, 'short', 'a multipart range answer ends inside a part header');
    const headers = text.decode(bytes.subarray(p, headersEnd));
    const cr = parseContentRange(/content-range:\s*([^\r\n]+)/i.exec(headers)?.[1]);
    if (!cr) throw new RangeFetchError(url, 'wrong-range', 'a part of a multipart range answer has no valid Content-Range');
    const start = headersEnd + 4;
    const end = start + (cr.end - cr.start + 1);
    if (end > bytes.length) throw new RangeFetchError(url, 'short', `a part for bytes ${cr.start}-${cr.end} is cut short`);
    parts.push({ cr, bytes: bytes.subarray(start, end) });
    at = find(end);
  }
  return parts;
}

// One request for `asked` (sorted, not overlapping). Returns one Uint8Array per range.
async function fetchTogether(url, asked, signal) {
  const header = `bytes=${asked.map((r) => `${r.start}-${r.start + r.length - 1}`).join(',')}`;
  const response = await request(url, header, signal);
  if (response.status === 200) {
    // No Range support, or none for several ranges at once: the whole file.
    const whole = asked.length === 1 ? await response.arrayBuffer().then((b) => new Uint8Array(b), () => null) : null;
    if (asked.length > 1) response.body?.cancel().catch(() => {});
    throw new RangeFetchError(url, 'ignored', 'the server ignores HTTP Range requests (it answered 200 with the whole file)', { status: 200, body: whole });
  }
  if (response.status !== 206) {
    response.body?.cancel().catch(() => {});
    throw new RangeFetchError(url, 'http', `HTTP ${response.status} ${response.statusText}`.trim(), { status: response.status });
  }
  const out = new Array(asked.length).fill(null);
  const type = response.headers.get('content-type') || '';
  const boundary = /multipart\/byteranges;\s*boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (boundary) {
    const bytes = await body(response, url);
    for (const part of multipartParts(bytes, boundary, url)) cut({ start: part.cr.start, end: part.cr.end }, part.bytes, asked, out, url);
  } else {
    const cr = parseContentRange(response.headers.get('content-range'));
    if (!cr) {
      response.body?.cancel().catch(() => {});
      throw new RangeFetchError(url, 'wrong-range', `the server answered 206 without a valid Content-Range (asked for ${rangeText(asked[0])})`);
    }
    const length = Number(response.headers.get('content-length'));
    const bytes = await body(response, url, Number.isFinite(length) && response.headers.has('content-length') ? length : undefined);
    if (bytes.length !== cr.end - cr.start + 1) {
      throw new RangeFetchError(url, 'short', `the answer for bytes ${cr.start}-${cr.end} has ${bytes.length} bytes`);
    }
    cut(cr, bytes, asked, out, url);
  }
  const missing = out.findIndex((b) => !b);
  if (missing >= 0) {
    throw new RangeFetchError(url, 'wrong-range', `the server answered other bytes than asked for (${rangeText(asked[missing])} is not in its answer)`);
  }
  return out;
}

// Fetches `ranges` ({start, length}, any order) of `url`; resolves to one
// Uint8Array per range, in the same order.
export async function fetchRanges(url, ranges, { signal } = {}) {
  if (!ranges.length) return [];
  const order = ranges.map((r, i) => ({ ...r, i })).sort((a, b) => a.start - b.start);
  const out = new Array(ranges.length);
  const put = (group, parts) => group.forEach((r, j) => { out[r.i] = parts[j]; });
  const s = of(url);
  const groups = [];
  for (let i = 0; i < order.length; i += MAX_RANGES_PER_REQUEST) groups.push(order.slice(i, i + MAX_RANGES_PER_REQUEST));
  if (s.multi !== false) {
    for (const group of groups) {
      try {
        put(group, await fetchTogether(url, group, signal));
        if (group.length > 1) s.multi = true;
      } catch (err) {
        // A server that takes single ranges but not several: one at a time from now on.
        if (!(err instanceof RangeFetchError) || group.length === 1 || s.multi === true || err.reason !== 'ignored') throw err;
        s.multi = false;
        break;
      }
    }
    if (s.multi !== false) return out;
  }
  let next = 0;
  const worker = async () => {
    while (next < order.length) {
      const r = order[next++];
      put([r], await fetchTogether(url, [r], signal));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_SINGLE_RANGES, order.length) }, worker));
  return out;
}

// Merges ranges less than `gap` bytes apart into one (the bytes between are
// fetched and dropped): fewer, larger parts. Returns [{start, length, members:[{start,length,i}]}].
export function coalesce(ranges, gap) {
  const sorted = ranges.map((r, i) => ({ ...r, i })).sort((a, b) => a.start - b.start);
  const merged = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.start + last.length + gap) {
      last.length = Math.max(last.length, r.start + r.length - last.start);
      last.members.push(r);
    } else {
      merged.push({ start: r.start, length: r.length, members: [r] });
    }
  }
  return merged;
}
