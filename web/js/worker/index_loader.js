// An index folder (manifest.json + shard-NNNNN.bin + thumbs/). The core's
// Index (core/index/index.h) makes every decision: whether the manifest is
// valid, whether the page's model can query it, whether it fits in memory,
// whether to load whole shards or only their heads (tiers), and whether each
// shard belongs (size, SHA-256, checksums, row count, dim, model, ids). This
// module fetches what it is told to and hands the bytes over.
//
// Tiers: when the core chooses heads, the first head is fetched with an HTTP
// Range request; that tells whether the server supports Range. If it does
// not (a 200 with the whole file) or answers wrongly, the index loads whole
// when that fits, and otherwise stops with a message saying it needs a
// server that supports Range.

import { fetchManifest, fetchVerified, FetchError, sha256Hex, cacheAvailable } from './fetch_cache.js';
import { fetchRanges, RangeFetchError } from './range_fetch.js';
import { UserError, explain, tooLargeError, isCoreError, coreRefusal } from './errors.js';
import { formatBytes, formatCount } from '../format.js';

const CACHE = 'clipsearch-index';
const GiB = 1024 ** 3;
// wasm32 addresses 4 GiB; leave room for the runtime and the query path.
const WASM_INDEX_LIMIT = 3 * GiB;
const PARALLEL_HEADS = 4;

// "index/" or "index/manifest.json" -> URL of manifest.json.
export function indexManifestUrl(location) {
  const url = new URL(location);
  if (!url.pathname.endsWith('.json')) {
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    url.pathname += 'manifest.json';
  }
  return url.href;
}

// Fetches manifest.json and makes the core Index from it.
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
  const index = coreRefusal('index-damaged', (why) => `Index damaged: ${url} is not a valid index manifest: ${why}`,
    () => core.Index.fromManifest(fetched.text));
  return { index, manifest: index.manifest, text: fetched.text, url, base: new URL('./', url).href, fromCache: fetched.fromCache };
}

// navigator.deviceMemory is coarse (Chrome caps it at 8 GB); allow a quarter
// of it, and a conservative 1 GiB when the browser does not say.
export function memoryBudget(deviceMemoryGb) {
  return Math.min(WASM_INDEX_LIMIT, deviceMemoryGb ? (deviceMemoryGb * GiB) / 4 : GiB);
}

// A shard that could not be added: the core has recorded why when it
// refused the bytes itself; otherwise (a failed download) it is told here.
// Out of memory stops the loading.
function recordFailure(index, entry, file, err) {
  const e = shardError(err, file);
  if (e.kind === 'oom') throw e;
  if (!isCoreError(err)) index.refuseShard(entry, e.message.replace(/^Index damaged: /, ''));
}

function shardError(err, file) {
  if (err instanceof UserError) return err;
  if (isCoreError(err)) return new UserError('index-damaged', `Index damaged: ${err.message}`);
  if (err instanceof FetchError || err instanceof RangeFetchError) {
    const what = err.reason === 'http' || err.reason === 'network' ? 'could not be downloaded' : 'does not match the manifest';
    return new UserError('index-damaged', `Index damaged: ${file} ${what}: ${err.detail}.`);
  }
  return explain(err, `loading ${file}`);
}

// Shard file `entry` whole, with its SHA-256: from Cache Storage when kept.
// The core decides on size and hash; the fetch only computes the hash.
function fetchWholeShard(core, loaded, entry, onProgress) {
  const shard = loaded.manifest.shards[entry];
  return fetchVerified(new URL(shard.file, loaded.base).href, {
    expect: { sha256: shard.sha256, bytes: shard.bytes },
    tag: loaded.manifest.modelFingerprint,
    cacheName: CACHE,
    onProgress,
    core,
    check: false,
  });
}

// Whole shards one by one, each searchable as it arrives. `first` may hold
// shard 0's bytes already (a server that ignored a Range request sent them).
async function loadWholeShards(core, loaded, { onProgress, onShard, first }) {
  const { index, manifest, base } = loaded;
  const total = manifest.shards.reduce((sum, s) => sum + s.bytes, 0);
  let done = 0;
  for (const [entry, shard] of manifest.shards.entries()) {
    const url = new URL(shard.file, base).href;
    try {
      const got = entry === 0 && first ? { bytes: first, sha256: await sha256Hex(first, core) }
        : await fetchWholeShard(core, loaded, entry, (n) => onProgress(done + n, total));
      index.addShard(entry, got.bytes, got.sha256);
      onShard();
    } catch (err) {
      recordFailure(index, entry, shard.file, err);
    }
    done += shard.bytes;
    onProgress(done, total);
  }
}

// A shard's head: from Cache Storage when this head (its SHA-256) was kept,
// else by a Range request for its first head_bytes bytes.
async function fetchHead(url, shard, cache) {
  const key = `${url}?clipsearch-head=${shard.headSha256}`;
  if (cache) {
    const hit = await cache.match(key).catch(() => null);
    if (hit) return { bytes: new Uint8Array(await hit.arrayBuffer()), key, cached: true };
  }
  const [bytes] = await fetchRanges(url, [{ start: 0, length: shard.headBytes }]);
  return { bytes, key, cached: false };
}

async function addHead(core, index, entry, shard, got, cache) {
  const sha = await sha256Hex(got.bytes, core);
  index.addShardHead(entry, got.bytes, sha);
  if (cache && !got.cached) {
    cache.put(got.key, new Response(got.bytes, { headers: { 'content-type': 'application/octet-stream' } })).catch(() => {});
  }
}

async function openCache() {
  if (!cacheAvailable()) return null;
  try {
    return await caches.open(CACHE);
  } catch {
    return null;
  }
}

// Every head but the first (which decided the mode): PARALLEL_HEADS
// requests in flight, added in manifest order, each searchable as it arrives.
async function loadHeads(core, loaded, cache, { onProgress, onShard }) {
  const { index, manifest, base } = loaded;
  const total = manifest.shards.reduce((sum, s) => sum + s.headBytes, 0);
  let done = manifest.shards[0].headBytes;
  const start = (entry) => {
    const shard = manifest.shards[entry];
    const url = new URL(shard.file, base).href;
    return fetchHead(url, shard, cache).then((g) => g, (err) => ({ err }));
  };
  const inFlight = new Map();
  let next = 1;
  const fill = () => {
    while (next < manifest.shards.length && inFlight.size < PARALLEL_HEADS) inFlight.set(next, start(next++));
  };
  fill();
  for (let entry = 1; entry < manifest.shards.length; ++entry) {
    const shard = manifest.shards[entry];
    const got = await inFlight.get(entry);
    inFlight.delete(entry);
    fill();
    try {
      if (got.err) throw got.err;
      await addHead(core, index, entry, shard, got, cache);
      onShard();
    } catch (err) {
      recordFailure(index, entry, shard.file, err);
    }
    done += shard.headBytes;
    onProgress(done, total);
  }
}

function needsRangeError(loaded, tieredPlan, wholePlan, budget, deviceMemoryGb, why) {
  const m = loaded.manifest;
  return new UserError('needs-range',
    `This index of ${formatCount(m.count)} images needs a server that supports HTTP Range requests: loaded whole it needs ` +
    `${formatBytes(wholePlan.memoryBytes)} of memory, more than this device allows (about ${formatBytes(budget)}), and ` +
    `the server at ${new URL(loaded.base).host} ${why}. With Range support the page loads only the first stage ` +
    `(${formatBytes(tieredPlan.downloadBytes)}) and fetches the rest as queries need it. Serve the index with ` +
    '`node tools/serve.mjs` (or nginx, Apache, most static hosts); python3 -m http.server does not support Range.');
}

// Loads the index the way the core's loading plan says; resolves to 'whole'
// or 'tiered' once every shard was tried (the core holds the damage report).
export async function loadIndex(core, loaded, { tiers = 'auto', deviceMemoryGb, onProgress, onShard, onMode, note }) {
  const { index, manifest, base } = loaded;
  const budget = memoryBudget(deviceMemoryGb);
  const plan = index.loadingPlan(true, budget, tiers);
  if (!plan.fits && !plan.canTier) throw tooLargeError(plan.memoryBytes, budget, deviceMemoryGb);
  if (plan.tiered && manifest.shards.length) {
    const cache = await openCache();
    const first = manifest.shards[0];
    const url = new URL(first.file, base).href;
    let got = null;
    try {
      got = await fetchHead(url, first, cache);
    } catch (err) {
      if (!(err instanceof RangeFetchError) || err.reason === 'http' || err.reason === 'network') {
        // Not about Range: the first shard is damaged or missing; the rest may be fine.
        recordFailure(index, 0, first.file, err);
      } else {
        // No Range, or broken Range: whole shards if they fit.
        const whole = index.loadingPlan(false, budget, tiers);
        const why = err.reason === 'ignored' ? 'ignores HTTP Range requests (it answered 200 with the whole file)'
          : `answers HTTP Range requests wrongly (${err.detail})`;
        if (!whole.fits) throw needsRangeError(loaded, plan, whole, budget, deviceMemoryGb, why);
        note(`The index server ${why}, so the whole index is downloaded (${formatBytes(whole.downloadBytes)}); ` +
          `a server with Range support would let the page load ${formatBytes(plan.downloadBytes)} first.`);
        onMode('whole', whole);
        const body = err.reason === 'ignored' && err.body?.length === first.bytes ? err.body : null;
        await loadWholeShards(core, loaded, { onProgress, onShard, first: body });
        return 'whole';
      }
    }
    onMode('tiered', plan);
    if (got) {
      try {
        await addHead(core, index, 0, first, got, cache);
        onShard();
      } catch (err) {
        recordFailure(index, 0, first.file, err);
      }
    }
    await loadHeads(core, loaded, cache, { onProgress, onShard });
    return 'tiered';
  }
  if (!plan.fits) throw tooLargeError(plan.memoryBytes, budget, deviceMemoryGb);
  onMode('whole', plan);
  await loadWholeShards(core, loaded, { onProgress, onShard });
  return 'whole';
}

// Every shard loaded as a head, completed by its whole file (the Duplicates
// view compares every row with every other). Only when the whole index fits
// in memory; otherwise a message that says what it would need. A file that
// fails its checks stops it, naming the file; the heads stay searchable.
export async function completeHeads(core, loaded, { deviceMemoryGb, onProgress }) {
  const { index, manifest } = loaded;
  if (index.allWhole) return;
  const budget = memoryBudget(deviceMemoryGb);
  const whole = index.loadingPlan(false, budget, 'off');
  if (!whole.fits) {
    throw new UserError('needs-whole-index',
      `Finding duplicates compares every image's int8 row with every other, so it needs the whole index in memory: ` +
      `${formatBytes(whole.memoryBytes)}, more than this device allows (about ${formatBytes(budget)}). This index of ` +
      `${formatCount(manifest.count)} images is loaded in tiers (sign bits first, rows as queries need them). ` +
      'Run `clipsearch duplicates --index <index folder>` on a computer instead.');
  }
  const heads = [];
  for (let i = 0; i < index.shardCount; ++i) if (!index.shardWhole(i)) heads.push(i);
  const total = heads.reduce((n, i) => n + manifest.shards[index.shardEntry(i)].bytes, 0);
  let done = 0;
  for (const i of heads) {
    const entry = index.shardEntry(i);
    const file = manifest.shards[entry].file;
    try {
      const got = await fetchWholeShard(core, loaded, entry, (n) => onProgress(done + n, total));
      index.completeShard(i, got.bytes, got.sha256);
    } catch (err) {
      const e = shardError(err, file);
      throw new UserError(e.kind, `Finding duplicates needs every image's row, but ${e.message.replace(/^Index damaged: /, '')} ` +
        'The index stays searchable.');
    }
    done += manifest.shards[entry].bytes;
    onProgress(done, total);
  }
}
