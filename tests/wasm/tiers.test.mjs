// The core Index through wasm as the page drives it: the manifest's checks
// of every shard (size, SHA-256, row count, dim, model, ids) with the damage
// report, the loading plan, and tiered loading: shard heads
// first, then the int8 rows of each query's candidates and the records of
// its hits, each checked against its head. Tiered answers must equal the
// whole index's with the same first pass, to the bit.
import assert from 'node:assert/strict';
import test from 'node:test';

import { indexFor, loadCore, random, refusal } from './support.mjs';

const core = await loadCore();
const dim = 64;
const model = { name: 'test', fingerprint: 'fp-tiers', dim };

function shard(seed, count, firstId) {
  const next = random(seed);
  const embeddings = Float32Array.from({ length: count * dim }, () => next() - 0.5);
  const records = Array.from({ length: count }, (_, i) => ({
    id: `img-${firstId + i}`, caption: `caption ${firstId + i}`, source: `p/${firstId + i}.jpg`, thumb: '',
    width: 10, height: 10,
    sha256: Array.from({ length: 32 }, () => Math.floor(next() * 256).toString(16).padStart(2, '0')).join(''),
  }));
  return core.encodeShard({ fingerprint: model.fingerprint, dim, binary: true, records, embeddings });
}

const files = [shard(1, 300, 0), shard(2, 200, 300), shard(3, 250, 500)].map((bytes, i) => ({ file: `shard-0000${i}.bin`, bytes }));
const sha = (b) => core.sha256Hex(b);

function whole() {
  const index = indexFor(core, model, files);
  files.forEach((f, i) => index.addShard(i, f.bytes, sha(f.bytes)));
  return index;
}

function heads() {
  const index = indexFor(core, model, files);
  index.manifest.shards.forEach((e, i) => {
    const head = files[i].bytes.subarray(0, e.headBytes);
    index.addShardHead(i, head, sha(head));
  });
  return index;
}

// What the page's fetcher does: the bytes a span names, from the shard's file.
const bytesOf = (index, span) => files[index.shardEntry(span.shard)].bytes.subarray(span.offset, span.offset + span.length);

function tieredSearch(index, query, options) {
  const plan = index.plan(query, options);
  let result;
  try {
    for (const span of index.missingVectors(plan)) index.addVector(span.shard, span.row, bytesOf(index, span));
    assert.equal(index.missingVectors(plan).length, 0);
    result = index.finish(plan);
  } finally {
    plan.delete();
  }
  for (const span of index.missingRecords(result.hits)) index.addRecord(span.shard, span.row, bytesOf(index, span));
  return { ...result, hits: result.hits.map((h) => ({ ...index.record(h.shard, h.row), ...h })) };
}

test('heads answer like whole shards, bit for bit, and a repeat query fetches nothing', () => {
  const w = whole();
  const h = heads();
  assert.equal(h.size, 750);
  assert.equal(h.shardWhole(0), false);
  for (const id of ['img-3', 'img-333', 'img-600']) {
    const query = w.embedding(id);
    const options = { k: 8, firstPass: 'binary', oversample: 4 };
    const want = w.search(query, options);
    const got = tieredSearch(h, query, options);
    assert.equal(got.unscored, 0);
    assert.deepEqual(got.hits.map((x) => [x.id, x.shard, x.row, x.score]), want.map((x) => [x.id, x.shard, x.row, x.score]));
    const again = h.plan(query, options);
    assert.equal(h.missingVectors(again).length, 0, 'a repeat query needs no new rows');
    again.delete();
  }
});

test('rows, records and keys that fail their checks are refused, naming the shard', () => {
  const h = heads();
  const plan = h.plan(whole().embedding('img-10'), { k: 3 });
  const [span] = h.missingVectors(plan);
  const wrong = bytesOf(h, span).slice();
  wrong[5] ^= 1;
  assert.match(refusal(() => h.addVector(span.shard, span.row, wrong)), /shard-0000\d\.bin: vector \d+ at offset \d+ fails its CRC-32C check/);
  assert.match(refusal(() => h.addVector(span.shard, span.row, wrong.subarray(1))), /bytes, got/);
  const { unscored } = h.finish(plan);
  assert.ok(unscored > 0, 'what was not supplied is not scored');
  plan.delete();
  const rec = h.missingRecords([{ shard: 0, row: 1 }])[0];
  assert.match(refusal(() => h.addRecord(0, 1, bytesOf(h, { ...rec, offset: rec.offset - 1 }))), /metadata record 1/);
  assert.equal(h.record(0, 1), null);
  const keys = h.locateId('img-1').needKeys[0];
  assert.match(refusal(() => h.addKeys(keys.shard, bytesOf(h, keys).subarray(2))), /keys section/);
});

test('an id and a photo are found in heads through keys, then records', () => {
  const h = heads();
  let l = h.locateId('img-450');
  assert.equal(l.found, false);
  assert.equal(l.needKeys.length, 3);
  for (const s of l.needKeys) h.addKeys(s.shard, bytesOf(h, s));
  l = h.locateId('img-450');
  assert.equal(l.needRecords.length, 1);
  for (const s of l.needRecords) h.addRecord(s.shard, s.row, bytesOf(h, s));
  l = h.locateId('img-450');
  assert.deepEqual([l.found, h.record(l.shard, l.row).id], [true, 'img-450']);
  const c = h.locateContent(h.record(l.shard, l.row).sha256);
  assert.equal(c.found, true, 'its record is at hand already');
  assert.equal(h.locateId('nobody').found, false);
  assert.match(refusal(() => h.embeddingAt(l.shard, l.row)), /not loaded yet/);
  const v = h.vectorSpan(l.shard, l.row);
  h.addVector(l.shard, l.row, bytesOf(h, v));
  assert.deepEqual(Array.from(h.embeddingAt(l.shard, l.row)), Array.from(whole().embedding('img-450')));
  const hits = tieredSearch(h, h.embeddingAt(l.shard, l.row), { k: 750, excludeAt: { shard: l.shard, row: l.row } }).hits;
  assert.ok(!hits.some((x) => x.id === 'img-450'));
});

test('a manifest whose row count or dim disagrees with a shard is refused though its hash matches', () => {
  const json = JSON.parse(core.makeIndexManifest(model, files));
  json.shards[1].count += 1;
  json.count += 1;
  let index = core.Index.fromManifest(JSON.stringify(json));
  index.addShard(0, files[0].bytes, sha(files[0].bytes));
  assert.match(refusal(() => index.addShard(1, files[1].bytes, sha(files[1].bytes))), /^shard-00001\.bin holds 200 images, but manifest\.json says 201$/);
  index.addShard(2, files[2].bytes, sha(files[2].bytes));
  assert.equal(index.size, 550);
  assert.equal(index.refusals.length, 1);
  assert.equal(index.refusals[0].file, 'shard-00001.bin');
  assert.equal(index.damageReport, 'shard-00001.bin holds 200 images, but manifest.json says 201. 550 of 751 images are searchable.');

  const other = JSON.parse(core.makeIndexManifest(model, files));
  other.dim = 128;
  index = core.Index.fromManifest(JSON.stringify(other));
  assert.match(refusal(() => index.addShard(0, files[0].bytes, sha(files[0].bytes))), /holds 64-d vectors, but manifest\.json says 128-d/);
  // A head is checked the same way.
  const e = other.shards[1];
  assert.match(refusal(() => index.addShardHead(1, files[1].bytes.subarray(0, e.head_bytes), e.head_sha256)), /64-d/);
  index.refuseShard(2, 'shard-00002.bin could not be downloaded: HTTP 404');
  assert.match(index.damageReport, /HTTP 404\. 0 of 750 images are searchable\.$/);
});

test('the loading plan is the core\'s', () => {
  const index = indexFor(core, model, files);
  const small = index.loadingPlan(true, 2 ** 30, 'auto');
  assert.equal(small.tiered, false, '750 images load whole');
  const forced = index.loadingPlan(true, 2 ** 30, 'on');
  assert.equal(forced.tiered, true);
  assert.equal(forced.downloadBytes, index.manifest.shards.reduce((s, e) => s + e.headBytes, 0));
  assert.equal(index.loadingPlan(false, 2 ** 30, 'on').tiered, false, 'no byte ranges: whole');
  assert.equal(index.loadingPlan(true, 100, 'auto').fits, false);
});

test('duplicates need whole shards: heads are refused, then completed by their files', () => {
  const h = heads();
  assert.equal(h.allWhole, false);
  assert.match(refusal(() => h.nearDuplicatePairs(0, 10, 0.9)), /shard-00000\.bin is loaded as a head \(tiers\), without its rows/);
  assert.match(refusal(() => h.completeShard(0, files[1].bytes, sha(files[1].bytes))), /^shard-00000\.bin is \d+ bytes, but manifest\.json says \d+$|SHA-256/);
  assert.equal(h.shardWhole(0), false, 'a wrong file leaves the head');
  assert.equal(h.refusals.length, 0);
  for (let i = 0; i < h.shardCount; ++i) {
    const f = files[h.shardEntry(i)].bytes;
    assert.equal(h.completeShard(i, f, sha(f)), true);
  }
  assert.equal(h.allWhole, true);
  const w = whole();
  const pairs = (index) => { const p = index.nearDuplicatePairs(0, index.size, 0.2); return [Array.from(p.rows), Array.from(p.scores)]; };
  assert.deepEqual(pairs(h), pairs(w));
});
