// Hostile shard bytes reaching the page (a broken download, a tampered
// file): every one must come back as an error naming the shard, never an
// abort of the module, and the module must keep working afterwards.
import assert from 'node:assert/strict';
import test from 'node:test';

import { loadCore, random, indexFor } from './support.mjs';

const core = await loadCore();
const dim = 16;
const count = 12;

function validShard() {
  const next = random(11);
  const embeddings = Float32Array.from({ length: count * dim }, () => next() - 0.5);
  for (let i = 0; i < count; ++i) {
    const row = embeddings.subarray(i * dim, (i + 1) * dim);
    const norm = Math.hypot(...row);
    row.forEach((x, d) => { row[d] = x / norm; });
  }
  const records = Array.from({ length: count }, (_, i) => ({
    id: `r${i}`, caption: `a caption ${i}`, source: `in/${i}.png`, thumb: `thumbs/${i}.jpg`, width: 10, height: 20,
  }));
  const bytes = core.encodeShard({ fingerprint: 'fp', dim, binary: true, records, embeddings });
  assert.ok(bytes instanceof Uint8Array);
  return bytes;
}

const valid = validShard();

// Loads bytes into a fresh index: {count} when the core accepts them,
// {refused: its message} when it throws its ClipError.
// The manifest lists the valid shard (as if the file were damaged after
// indexing) so the core's own checks of the bytes decide, not its hash.
function load(bytes, name = 'hostile.bin') {
  const index = indexFor(core, { name: 'm', fingerprint: 'fp', dim }, [{ file: name, bytes: valid }]);
  try {
    return { count: index.addShard(0, bytes, '') };
  } catch (err) {
    if (err.name !== 'ClipError') throw err;
    return { refused: err.message };
  } finally {
    index.delete();
  }
}

test('the untouched shard loads', () => {
  assert.deepEqual(load(valid), { count });
});

test('every truncation is refused with an error naming the shard', () => {
  for (let n = 0; n < valid.length; ++n) {
    const r = load(valid.subarray(0, n), 'cut.bin');
    assert.equal(r.count, undefined, `truncated to ${n} bytes was accepted`);
    assert.match(r.refused, /cut\.bin/, `error for ${n} bytes: ${r.refused}`);
  }
});

test('every single-byte corruption is refused or harmless', () => {
  let refused = 0;
  for (let at = 0; at < valid.length; ++at) {
    for (const mask of [0x01, 0x80, 0xff]) {
      const bytes = valid.slice();
      bytes[at] ^= mask;
      const r = load(bytes);
      if (r.refused === undefined) {
        assert.equal(r.count, count, `flip at ${at} changed the count`);
      } else {
        ++refused;
      }
    }
  }
  // Checksums cover every section: nearly every flip must be caught.
  assert.ok(refused > 0.9 * 3 * valid.length, `only ${refused} of ${3 * valid.length} corruptions refused`);
});

test('random bytes and oversized claims are refused', () => {
  const next = random(5);
  for (const size of [1, 7, 64, 100, 4096, 100000]) {
    const bytes = Uint8Array.from({ length: size }, () => Math.floor(next() * 256));
    assert.equal(typeof load(bytes).refused, 'string');
  }
  // A valid header followed by garbage: lengths and offsets point anywhere.
  for (let trial = 0; trial < 200; ++trial) {
    const bytes = valid.slice();
    for (let i = 16 + Math.floor(next() * 48); i < bytes.length; i += 1 + Math.floor(next() * 64)) {
      bytes[i] = Math.floor(next() * 256);
    }
    const r = load(bytes);
    assert.ok(r.count === count || typeof r.refused === 'string');
  }
});

test('the module still works after all that', () => {
  const index = indexFor(core, { name: 'm', fingerprint: 'fp', dim }, [{ file: 'ok.bin', bytes: valid }]);
  assert.equal(index.addShard(0, valid, core.sha256Hex(valid)), count);
  const hits = index.search(index.embedding('r3'), { k: 1 });
  assert.equal(hits[0].id, 'r3');
  index.delete();
});
