// Index bindings: shards written by the wasm build must equal the native
// writer's bytes, and searching them must give the native hits, scores equal
// to the bit. Random but seeded data: failures reproduce.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';

import { indexFor, loadCore, random, readData, refusal, runNative, testData } from './support.mjs';

const core = await loadCore();
const dim = 512;
const dir = mkdtempSync(join(tmpdir(), 'clipsearch-wasm-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// Clustered unit vectors, like image embeddings: near neighbours exist.
function makeShardSpec(seed, count, firstId, fingerprint = 'test-model-1') {
  const next = random(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const centres = Array.from({ length: 8 }, () => Float64Array.from({ length: dim }, gauss));
  const embeddings = new Float32Array(count * dim);
  const records = [];
  for (let i = 0; i < count; ++i) {
    const centre = centres[Math.floor(next() * centres.length)];
    const v = Float64Array.from(centre, (c) => c + 0.8 * gauss());
    const norm = Math.hypot(...v);
    for (let d = 0; d < dim; ++d) embeddings[i * dim + d] = v[d] / norm;
    const sha256 = Array.from({ length: 32 }, () => Math.floor(next() * 256).toString(16).padStart(2, '0')).join('');
    const id = `img-${firstId + i}`;
    records.push({ id, caption: `caption ${firstId + i}`, source: `photos/${id}.jpg`,
                   thumb: `thumbs/${id}.jpg`, width: 640 + i, height: 480, sha256 });
  }
  return { fingerprint, dim, binary: true, records, embeddings };
}

function randomQuery(seed) {
  const next = random(seed);
  return Float32Array.from({ length: dim }, () => next() - 0.5);
}

const specs = [makeShardSpec(1, 700, 0), makeShardSpec(2, 300, 700)];
const shardBytes = specs.map((s) => core.encodeShard(s));
const shardFiles = shardBytes.map((bytes, i) => {
  const file = join(dir, `shard-${i}.bin`);
  writeFileSync(file, bytes);
  return file;
});

const model = { name: 'test', fingerprint: 'test-model-1', dim };
const files = shardBytes.map((bytes, i) => ({ file: `shard-${i}.bin`, bytes }));

function loadIndex() {
  const index = indexFor(core, model, files);
  shardBytes.forEach((bytes, i) => index.addShard(i, bytes, core.sha256Hex(bytes)));
  return index;
}

function nativeSearch(query, options) {
  const spec = join(dir, 'search.json');
  writeFileSync(spec, JSON.stringify({ query: Array.from(query), ...options }));
  return JSON.parse(runNative('search', spec, ...shardFiles));
}

const floatBits = (x) => new Uint32Array(Float32Array.of(x).buffer)[0];

test('the wasm shard writer produces the native writer\'s bytes', () => {
  specs.forEach((spec, i) => {
    assert.ok(shardBytes[i] instanceof Uint8Array);
    const file = join(dir, `native-${i}.bin`);
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ ...spec, embeddings: Array.from(spec.embeddings) }));
    runNative('encode-shard', join(dir, 'spec.json'), file);
    assert.ok(Buffer.from(shardBytes[i]).equals(readFileSync(file)), `shard ${i} differs`);
  });
});

test('an index reports what its shards hold', () => {
  const index = indexFor(core, model, files);
  assert.equal(index.size, 0);
  assert.equal(index.dim, dim, 'the manifest says');
  assert.equal(index.manifest.count, 1000);
  assert.equal(index.manifest.shards[1].version, 2);
  assert.ok(index.manifest.shards[1].headBytes > 0);
  assert.equal(index.addShard(0, shardBytes[0], core.sha256Hex(shardBytes[0])), 700, 'addShard returns the vectors it added');
  assert.equal(index.addShard(1, shardBytes[1], ''), 300);
  assert.equal(index.size, 1000);
  assert.equal(index.dim, dim);
  assert.equal(index.shardCount, 2);
  assert.equal(index.fingerprint, 'test-model-1');
  index.delete();
});

test('search results equal the native build\'s, scores to the bit', () => {
  const index = loadIndex();
  const optionSets = [
    { k: 10 },
    { k: 1 },
    { k: 50, minScore: 0.05 },
    { k: 10, excludeId: 'img-3' },
    { k: 10, binary: true },
    { k: 20, binary: true, oversample: 3 },
    { k: 2000 },
  ];
  for (let q = 0; q < 4; ++q) {
    // Random directions and stored vectors (the "similar" case).
    const query = q < 2 ? randomQuery(100 + q) : specs[0].embeddings.subarray(q * dim, (q + 1) * dim);
    for (const options of optionSets) {
      const hits = index.search(query, options);
      assert.ok(Array.isArray(hits));
      const native = nativeSearch(query, options);
      assert.equal(hits.length, native.length, JSON.stringify(options));
      hits.forEach((h, i) => {
        const n = native[i];
        assert.deepEqual([h.id, h.shard, h.row, floatBits(h.score)], [n.id, n.shard, n.row, n.scoreBits],
                         `query ${q} ${JSON.stringify(options)} hit ${i}`);
      });
      if (options.excludeId) assert.ok(!hits.some((h) => h.id === options.excludeId));
      if (options.minScore !== undefined) assert.ok(hits.every((h) => h.score >= options.minScore));
    }
  }
  index.delete();
});

test('hits carry the record, and a stored embedding finds itself first', () => {
  const index = loadIndex();
  const record = specs[1].records[42];
  const embedding = index.embedding(record.id);
  assert.ok(embedding instanceof Float32Array);
  assert.equal(embedding.length, dim);
  assert.ok(Math.abs(Math.hypot(...embedding) - 1) < 1e-5);
  const [top] = index.search(embedding, { k: 3 });
  assert.deepEqual({ ...top, score: undefined }, { ...record, score: undefined, shard: 1, row: 42 });
  assert.ok(top.score > 0.99, `self-similarity ${top.score}`);
  assert.equal(index.search(embedding, { k: 3, excludeId: record.id })[0].id === record.id, false);
  assert.equal(index.embedding('no-such-id'), null, 'a lookup that finds nothing is null, not an error');
  index.delete();
});

test('a dropped photo is recognised by the hash of its bytes', () => {
  const index = loadIndex();
  const record = specs[0].records[123];
  assert.equal(index.findBySha256(record.sha256), record.id);
  assert.equal(index.findBySha256(record.sha256.toUpperCase()), record.id);
  assert.equal(index.findBySha256('0'.repeat(64)), null, 'no such photo: null');
  assert.match(refusal(() => index.findBySha256('not hex')), /findBySha256: "not hex" is not 64 hex digits/);
  index.delete();
});

test('mismatched shards and queries are refused with errors', () => {
  const index = loadIndex();
  assert.match(refusal(() => index.addShard(0, shardBytes[0], '')), /already added/);
  assert.equal(index.size, 1000, 'a refused shard leaves the index as it was');
  refusal(() => index.search(new Float32Array(dim - 8)));
  const query = randomQuery(8);
  assert.equal(index.search(query, { k: 1e20 }).length, 1000);
  for (const k of [0, -3, NaN]) {
    let hits = [];
    try {
      hits = index.search(query, { k });
    } catch (err) {
      assert.equal(err.name, 'ClipError', `k ${k}`);
    }
    assert.equal(hits.length, 0, `k ${k}`);
  }
  const small = makeShardSpec(4, 5, 9000);
  refusal(() => core.encodeShard({ ...small, dim: 10, embeddings: new Float32Array(50) }));
  assert.match(refusal(() => core.encodeShard({ ...small, records: [{ id: 'x', sha256: 'zz' }] })), /sha256/);
  index.delete();
});

test('the committed format-v1 sample shard loads and searches as natively', () => {
  // tests/data/index/README.md: 5 records, dim 16, fingerprint demo-model-fp-0123.
  const bytes = readData('index/shard-v1-sample.bin');
  const index = indexFor(core, { name: 'demo', fingerprint: 'demo-model-fp-0123', dim: 16 }, [{ file: 'shard-v1-sample.bin', bytes }]);
  assert.equal(index.manifest.version, 1);
  assert.equal(index.addShard(0, bytes, core.sha256Hex(bytes)), 5);
  assert.equal(index.dim, 16);
  assert.equal(index.fingerprint, 'demo-model-fp-0123');
  const query = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i + 1));
  const spec = join(dir, 'sample-search.json');
  writeFileSync(spec, JSON.stringify({ query: Array.from(query), k: 5 }));
  const native = JSON.parse(runNative('search', spec, join(testData, 'index/shard-v1-sample.bin')));
  const hits = index.search(query, { k: 5 });
  assert.equal(native.length, 5);
  assert.deepEqual(hits.map((h) => [h.id, h.row, floatBits(h.score)]), native.map((n) => [n.id, n.row, n.scoreBits]));
  index.delete();
});

test('results survive wasm memory growth (they are copies)', () => {
  const index = loadIndex();
  const hits = index.search(randomQuery(7), { k: 5 });
  const embedding = index.embedding('img-1');
  const before = [hits.map((h) => h.score), Array.from(embedding)];
  // A 3000 x 3000 RGBA frame grows the heap well past its starting size.
  const big = core.preprocessRgba(new Uint8Array(3000 * 3000 * 4).fill(200), 3000, 3000);
  assert.equal(big.width, 3000);
  assert.deepEqual([hits.map((h) => h.score), Array.from(embedding)], before);
  index.delete();
});
