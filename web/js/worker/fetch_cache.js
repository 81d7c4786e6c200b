// Downloads with byte progress, checked against what a manifest promised
// (size, SHA-256), and kept in Cache Storage so a second visit, or an offline
// one, loads without the network.
//
// Large files (models, shards, runtimes) are cache-first: a cached copy is used
// when it was stored under the SHA-256 (or, when the manifest gives none, the
// tag, e.g. the model fingerprint) the current manifest expects, so a changed
// manifest revalidates them. Manifests themselves are network-first and fall
// back to the cached copy when the network fails.

const SHA_HEADER = 'x-clipsearch-sha256';
const TAG_HEADER = 'x-clipsearch-tag';
const PROGRESS_INTERVAL_MS = 60;

export class FetchError extends Error {
  // reason: 'network' | 'http' | 'size' | 'sha256'
  constructor(url, reason, detail, status = 0) {
    super(`${url}: ${detail}`);
    this.url = url;
    this.reason = reason;
    this.detail = detail;
    this.status = status;
  }
}

export const cacheAvailable = () => typeof caches !== 'undefined';

async function openCache(name) {
  if (!name || !cacheAvailable()) return null;
  try {
    return await caches.open(name);
  } catch {
    return null;  // storage disabled (private mode, quota): work uncached
  }
}

function toHex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

// crypto.subtle exists only in secure contexts; the wasm module's SHA-256
// (the same code the native tool uses) covers the rest.
export async function sha256Hex(bytes, core) {
  if (globalThis.crypto?.subtle) return toHex(await crypto.subtle.digest('SHA-256', bytes));
  return core.sha256Hex(bytes);
}

async function readBody(response, url, expectedBytes, onProgress) {
  const header = Number(response.headers.get('content-length'));
  const total = expectedBytes || (Number.isFinite(header) ? header : 0);
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.(bytes.length, total || bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  let lastReport = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loaded += value.length;
    // A server sending more than the manifest promised is wrong; stop before
    // it fills memory.
    if (expectedBytes && loaded > expectedBytes) {
      reader.cancel().catch(() => {});
      throw new FetchError(url, 'size', `more than the ${expectedBytes} bytes the manifest lists`);
    }
    chunks.push(value);
    const now = performance.now();
    if (now - lastReport > PROGRESS_INTERVAL_MS) {
      lastReport = now;
      onProgress?.(loaded, total);
    }
  }
  onProgress?.(loaded, total || loaded);
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

// Returns {bytes, fromCache, sha256} (sha256: of the bytes, when expected). `expect` = {sha256, bytes} from a manifest (either
// may be empty/0 when unknown); `tag` keys the cache when no sha256 is known.
// `check: false` leaves the size and hash to the caller (the core's Index
// decides for shards); bytes beyond `expect.bytes` are still never read.
export async function fetchVerified(url, { expect = {}, tag = '', cacheName, onProgress, core, check = true }) {
  const cache = await openCache(cacheName);
  const key = expect.sha256 || tag;
  if (cache && key) {
    const hit = await cache.match(url);
    const hitKey = hit && (expect.sha256 ? hit.headers.get(SHA_HEADER) : hit.headers.get(TAG_HEADER));
    if (hit && hitKey === key) {
      const bytes = new Uint8Array(await hit.arrayBuffer());
      if (!expect.bytes || bytes.length === expect.bytes) {
        onProgress?.(bytes.length, bytes.length);
        return { bytes, fromCache: true, sha256: expect.sha256 ? hitKey : '' };
      }
    }
  }

  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new FetchError(url, 'network', `could not be downloaded (${err.message || 'network error'})`);
  }
  if (!response.ok) throw new FetchError(url, 'http', `HTTP ${response.status} ${response.statusText}`.trim(), response.status);
  const bytes = await readBody(response, url, expect.bytes, onProgress);
  if (check && expect.bytes && bytes.length !== expect.bytes) {
    throw new FetchError(url, 'size', `is ${bytes.length} bytes, the manifest says ${expect.bytes}`);
  }
  let sha = '';
  if (expect.sha256) {
    sha = await sha256Hex(bytes, core);
    if (check && sha !== expect.sha256) {
      throw new FetchError(url, 'sha256', `SHA-256 ${sha.slice(0, 12)}… does not match the manifest's ${expect.sha256.slice(0, 12)}…`);
    }
  }
  if (cache && key) {
    const stored = new Response(bytes, { headers: { [SHA_HEADER]: sha, [TAG_HEADER]: tag, 'content-type': 'application/octet-stream' } });
    await cache.put(url, stored).catch(() => {});  // a full quota only costs the next visit a download
  }
  return { bytes, fromCache: false, sha256: sha };
}

// Small JSON manifests: network first (so a rebuilt index is noticed), the
// cached copy when the network fails. Returns {text, fromCache}.
export async function fetchManifest(url, { cacheName }) {
  const cache = await openCache(cacheName);
  let failure;
  try {
    const response = await fetch(url, { cache: 'no-cache' });
    if (response.ok) {
      const text = await response.text();
      if (cache) await cache.put(url, new Response(text, { headers: { 'content-type': 'application/json' } })).catch(() => {});
      return { text, fromCache: false };
    }
    failure = new FetchError(url, 'http', `HTTP ${response.status} ${response.statusText}`.trim(), response.status);
  } catch (err) {
    failure = new FetchError(url, 'network', `could not be downloaded (${err.message || 'network error'})`);
  }
  const hit = cache && (await cache.match(url));
  if (hit) return { text: await hit.text(), fromCache: true };
  throw failure;
}
