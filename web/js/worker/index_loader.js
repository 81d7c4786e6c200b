// An index folder (manifest.json + shard-NNNNN.bin + thumbs/): the manifest,
// a memory check before any shard is fetched, then the shards one by one,
// each verified (size and SHA-256 against the manifest, then every section
// checksum and offset by the core) and searchable as soon as it arrives.

import { fetchManifest, fetchVerified, FetchError } from './fetch_cache.js';
import { UserError, explain, tooLargeError, isCoreError, coreRefusal } from './errors.js';

const CACHE = 'clipsearch-index';
const GiB = 1024 ** 3;
// wasm32 addresses 4 GiB; leave room for the runtime and the query path.
const WASM_INDEX_LIMIT = 3 * GiB;

// "index/" or "index/manifest.json" -> URL of manifest.json.
export function indexManifestUrl(location) {
  const url = new URL(location);
  if (!url.pathname.endsWith('.json')) {
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    url.pathname += 'manifest.json';
  }
  return url.href;
}

export async function loadIndexManifest(core, location) {
  const url = indexManifestUrl(location);
  let fetched;
  try {
    fetched = await fetchManifest(url, { cacheName: CACHE });
  } catch (err) {
    if (err instanceof FetchError) {
      throw new UserError('index-missing', `Index not found: ${url} (${err.detail}). Check the “index” URL parameter.`);
    }
    throw explain(err, 'loading the index manifest');
  }
  const manifest = coreRefusal('index-damaged', (why) => `Index damaged: ${url} is not a valid index manifest: ${why}`,
    () => core.parseIndexManifest(fetched.text));
  return { manifest, text: fetched.text, url, base: new URL('./', url).href, fromCache: fetched.fromCache };
}

export function totalShardBytes(manifest) {
  return manifest.shards.reduce((sum, s) => sum + s.bytes, 0);
}

// Refuses, with the size it needs, an index the device cannot hold.
// navigator.deviceMemory is coarse (Chrome caps it at 8 GB); allow a quarter
// of it, and a conservative 1 GiB when the browser does not say.
export function checkMemory(manifest, deviceMemoryGb) {
  const largest = manifest.shards.reduce((m, s) => Math.max(m, s.bytes), 0);
  const needed = totalShardBytes(manifest) + largest;  // the last shard exists twice while it is added
  const budget = Math.min(WASM_INDEX_LIMIT, deviceMemoryGb ? (deviceMemoryGb * GiB) / 4 : GiB);
  if (needed > budget) throw tooLargeError(needed, budget, deviceMemoryGb);
}

function shardError(err, file) {
  if (err instanceof UserError) return err;
  if (isCoreError(err)) return new UserError('index-damaged', `Index damaged: ${err.message}`);
  if (err instanceof FetchError) {
    const what = err.reason === 'http' || err.reason === 'network' ? 'could not be downloaded' : 'does not match the manifest';
    return new UserError('index-damaged', `Index damaged: ${file} ${what}: ${err.detail}.`);
  }
  return explain(err, `loading ${file}`);
}

// Adds every shard to `index` (a core.Index). Calls onShard() after each one
// that was added (the caller may search right away). A damaged shard is skipped and reported at the end, so the
// rest of the index stays searchable. Returns [UserError] of the skipped ones.
export async function loadShards(core, index, loaded, { fingerprint, onProgress, onShard }) {
  const { manifest, base } = loaded;
  const total = totalShardBytes(manifest);
  let done = 0;
  const damaged = [];
  for (const shard of manifest.shards) {
    const url = new URL(shard.file, base).href;
    try {
      const { bytes } = await fetchVerified(url, {
        expect: { sha256: shard.sha256, bytes: shard.bytes },
        tag: manifest.modelFingerprint,
        cacheName: CACHE,
        onProgress: (n) => onProgress(done + n, total),
        core,
      });
      index.addShard(bytes, shard.file);
      if (index.fingerprint !== fingerprint) {
        throw new UserError('model-mismatch', `${shard.file} was embedded with model fingerprint ${index.fingerprint.slice(0, 12)}…, not the ${fingerprint.slice(0, 12)}… its index manifest records.`);
      }
      onShard();
    } catch (err) {
      const e = shardError(err, shard.file);
      if (e.kind === 'model-mismatch' || e.kind === 'oom') throw e;
      damaged.push(e);
    }
    done += shard.bytes;
    onProgress(done, total);
  }
  return damaged;
}
