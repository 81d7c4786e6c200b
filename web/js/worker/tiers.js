// The parts of shard files a tiered index fetches after loading the heads
// (docs/FORMAT.md "Version 2: tiers"): int8 vectors of a query's
// candidates, records of the hits shown, keys for finding an id or a photo.
// The core says which bytes it lacks (Index.missingVectors, missingRecords,
// locateId, ...) and checks each part against the shard's head; this module
// only moves bytes: ranges of one shard coalesced into one request
// (range_fetch.js), and kept in Cache Storage so a later visit asking for the
// same parts needs no network. Repeats within a visit cost nothing either:
// the core keeps what it was given (an LRU of rows and records).

import { fetchRanges, coalesce, RangeFetchError } from './range_fetch.js';
import { UserError, isCoreError } from './errors.js';
import { cacheAvailable } from './fetch_cache.js';

const CACHE = 'clipsearch-index-parts';
// Parts closer than this share one range: about what the extra part header
// of a multipart answer costs, so merging never costs more than it saves.
const GAP_BYTES = 256;
const PARALLEL_SHARDS = 6;    // requests in flight, as a browser's connection pool
const CACHE_WRITE_DELAY_MS = 1000;  // Cache Storage writes left by a fetch outside a query

export class Tiers {
  constructor(core, index, loaded) {
    this.index = index;
    this.manifest = loaded.manifest;
    this.base = loaded.base;
    this.cache = null;
    this.cachedKeys = null;  // Set of part keys in Cache Storage, once listed
    this.stats = { requests: 0, bytes: 0, fromCache: 0 };
    this.pendingWrites = [];  // [{key, bytes}] for Cache Storage, after the query
    this.flushTimer = 0;
    if (cacheAvailable()) this.openCache();
  }

  async openCache() {
    try {
      this.cache = await caches.open(CACHE);
      const keys = await this.cache.keys();
      this.cachedKeys = new Set(keys.map((r) => r.url));
    } catch {
      this.cache = null;
    }
  }

  entry(shard) {
    return this.manifest.shards[this.index.shardEntry(shard)];
  }

  url(shard) {
    return new URL(this.entry(shard).file, this.base).href;
  }

  // The key of one request's parts: the file, the ranges, and the head they
  // are checked against (a rebuilt shard has another head, so its old parts
  // are never used). The same query asks for the same ranges next visit.
  key(shard, ranges) {
    const url = new URL(this.url(shard));
    url.searchParams.set('clipsearch-parts', ranges.map((r) => `${r.start}+${r.length}`).join(','));
    url.searchParams.set('head', this.entry(shard).headSha256 || '');
    return url.href;
  }

  async fromCache(key) {
    if (!this.cache || !this.cachedKeys?.has(key)) return null;
    try {
      const hit = await this.cache.match(key);
      return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
    } catch {
      return null;
    }
  }

  // Keeps one request's parts, concatenated, for Cache Storage. The writes
  // wait until flushCache() (called once a query's results are posted), so
  // they never compete with the query's own requests; a timer flushes what
  // a caller outside a query leaves behind.
  toCache(key, parts) {
    if (!this.cache) return;
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    this.pendingWrites.push({ key, bytes });
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flushCache(), CACHE_WRITE_DELAY_MS);
  }

  flushCache() {
    clearTimeout(this.flushTimer);
    this.flushTimer = 0;
    const writes = this.pendingWrites.splice(0);
    for (const { key, bytes } of writes) {
      this.cache?.put(key, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }))
        .then(() => this.cachedKeys?.add(key), () => {});  // a full quota only costs a later download
    }
  }

  // Fetches `spans` ({shard, row, offset, length}) and gives each its bytes:
  // add(span, bytes). One coalesced request per shard.
  async fetchSpans(spans, add) {
    const byShard = new Map();
    for (const s of spans) {
      if (!byShard.has(s.shard)) byShard.set(s.shard, []);
      byShard.get(s.shard).push(s);
    }
    const shards = [...byShard.keys()];
    let next = 0;
    const one = async () => {
      while (next < shards.length) {
        const shard = shards[next++];
        const merged = coalesce(byShard.get(shard).map((s) => ({ start: s.offset, length: s.length, span: s })), GAP_BYTES);
        const ranges = merged.map((m) => ({ start: m.start, length: m.length }));
        const key = this.key(shard, ranges);
        let parts = null;
        const cached = await this.fromCache(key);
        if (cached && cached.length === ranges.reduce((n, r) => n + r.length, 0)) {
          let at = 0;
          parts = ranges.map((r) => cached.subarray(at, (at += r.length)));
          this.stats.fromCache++;
        } else {
          parts = await fetchRanges(this.url(shard), ranges);
          this.stats.requests++;
          this.stats.bytes += parts.reduce((n, p) => n + p.length, 0);
        }
        // Rows before records, so a damaged answer is named by its rows'
        // checks first, whatever the layout.
        for (const records of [false, true]) {
          merged.forEach((m, i) => {
            for (const member of m.members) {
              if (Boolean(member.span.record) !== records) continue;
              const at = member.start - m.start;
              add(member.span, parts[i].subarray(at, at + member.length));
            }
          });
        }
        // Only parts the core accepted (add() threw otherwise) are kept.
        if (!cached) this.toCache(key, parts);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(PARALLEL_SHARDS, shards.length) }, one));
    } catch (err) {
      throw partError(err);
    }
  }

  vectors(spans) {
    return this.fetchSpans(spans, (s, b) => this.index.addVector(s.shard, s.row, b));
  }

  // Both in one request per shard.
  vectorsAndRecords(vectorSpans, recordSpans) {
    const spans = vectorSpans.concat(recordSpans.map((s) => ({ ...s, record: true })));
    return this.fetchSpans(spans, (s, b) => (s.record ? this.index.addRecord(s.shard, s.row, b) : this.index.addVector(s.shard, s.row, b)));
  }

  records(spans) {
    return this.fetchSpans(spans, (s, b) => this.index.addRecord(s.shard, s.row, b));
  }

  keys(spans) {
    return this.fetchSpans(spans, (s, b) => this.index.addKeys(s.shard, b));
  }

  // locate(): index.locateId / locateContent, asked again after supplying
  // what it lacks. Resolves to {shard, row} or null.
  async locate(lookup) {
    for (let round = 0; round < 4; ++round) {
      const l = lookup();
      if (l.found) return { shard: l.shard, row: l.row };
      if (!l.needKeys.length && !l.needRecords.length) return null;
      await this.keys(l.needKeys);
      await this.records(l.needRecords);
    }
    return null;
  }
}

// What a failed part fetch tells the user: the server's fault, in words.
export function partError(err) {
  if (err instanceof UserError) return err;
  if (err instanceof RangeFetchError) {
    const what = {
      ignored: 'stopped answering HTTP Range requests',
      'wrong-range': 'answered a byte-range request with other bytes',
      short: 'sent a short answer to a byte-range request',
      http: 'refused a byte-range request',
      network: 'could not be reached for a byte-range request',
    }[err.reason] || 'failed a byte-range request';
    return new UserError('index-server', `The index server ${what}: ${err.message}. No results were shown from it; try again, or serve the index with a server that supports HTTP Range requests (e.g. node tools/serve.mjs).`);
  }
  if (isCoreError(err)) {
    return new UserError('index-server', `The index server sent bytes that fail the index's checks: ${err.message}. No results were shown from them; the index or the server is damaged.`);
  }
  return err;
}
