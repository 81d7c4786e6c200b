// Near-duplicate bindings (Index.nearDuplicatePairs, Index.duplicateGroups):
// planted copies are grouped with their original across shards, a scan in
// ranges finds what one scan finds, the keeper is the largest copy, and bad
// arguments are ClipErrors. The page's Duplicates view is held to the
// native CLI's output in tests/web/duplicates.test.mjs.
import assert from 'node:assert/strict';
import test from 'node:test';

import { indexFor, loadCore, random, refusal } from './support.mjs';

const core = await loadCore();
const dim = 64;

// 200 random pictures; pictures 10, 50 and 150 get 2, 1 and 3 noisy copies,
// each copy 10 pixels wider than the one before (the last is the largest).
function planted() {
  const next = random(9);
  const gauss = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const rows = [];
  const copies = { 10: 2, 50: 1, 150: 3 };
  for (let i = 0; i < 200; ++i) {
    const v = Array.from({ length: dim }, gauss);
    rows.push({ id: `pic-${i}`, v, width: 100 });
    for (let c = 1; c <= (copies[i] ?? 0); ++c)
      rows.push({ id: `pic-${i}-copy-${c}`, v: v.map((x) => x + 0.05 * gauss()), width: 100 + 10 * c });
  }
  const files = [rows.slice(0, 120), rows.slice(120)].map((part, s) => {
    const embeddings = new Float32Array(part.length * dim);
    part.forEach((r, i) => embeddings.set(r.v, i * dim));
    const bytes = core.encodeShard({
      fingerprint: 'fp', dim, binary: true, embeddings,
      records: part.map((r) => ({ id: r.id, caption: '', source: `${r.id}.png`, thumb: '', width: r.width, height: 100, sha256: '0'.repeat(64) })),
    });
    return { file: `shard-${s}.bin`, bytes };
  });
  const index = indexFor(core, { name: 'm', fingerprint: 'fp', dim }, files);
  files.forEach((f, i) => index.addShard(i, f.bytes, ''));
  return index;
}

test('planted copies are grouped with their original, the largest kept', () => {
  const index = planted();
  const { rows, scores } = index.nearDuplicatePairs(0, index.size, 0.9);
  assert.ok(rows instanceof Uint32Array && scores instanceof Float32Array);
  assert.equal(rows.length, 4 * scores.length);
  const groups = index.duplicateGroups(rows, scores);
  const sets = groups.map((g) => g.members.map((m) => m.id).sort());
  assert.deepEqual(sets, [
    ['pic-150', 'pic-150-copy-1', 'pic-150-copy-2', 'pic-150-copy-3'],
    ['pic-10', 'pic-10-copy-1', 'pic-10-copy-2'],
    ['pic-50', 'pic-50-copy-1'],
  ]);
  assert.deepEqual(groups.map((g) => g.keeper), ['pic-150-copy-3', 'pic-10-copy-2', 'pic-50-copy-1']);
  for (const g of groups) {
    assert.equal(g.members[0].id, g.keeper);
    assert.equal(g.members[0].score, 1);
    for (const m of g.members.slice(1)) assert.ok(m.score > 0.9 && m.score < 1, `${m.id} ${m.score}`);
    assert.equal(typeof g.members[0].source, 'string');
  }
  index.delete();
});

test('a scan in ranges gives the pairs of one scan', () => {
  const index = planted();
  const whole = index.nearDuplicatePairs(0, index.size, 0.9);
  const parts = [[0, 1], [1, 77], [77, 130], [130, index.size]].map(([a, b]) => index.nearDuplicatePairs(a, b, 0.9));
  assert.deepEqual(Array.from(parts.flatMap((p) => Array.from(p.rows))), Array.from(whole.rows));
  assert.deepEqual(Array.from(parts.flatMap((p) => Array.from(p.scores))), Array.from(whole.scores));
  assert.equal(index.nearDuplicatePairs(5, 5, 0.9).scores.length, 0);
  index.delete();
});

test('the default threshold is the core\'s', () => {
  assert.equal(Math.fround(core.defaultDuplicateThreshold), Math.fround(0.985));
});

test('bad ranges and pairs are ClipErrors', () => {
  const index = planted();
  assert.match(refusal(() => index.nearDuplicatePairs(0, index.size + 1, 0.9)), /not within the index's 206/);
  assert.match(refusal(() => index.nearDuplicatePairs(10, 5, 0.9)), /not within/);
  assert.match(refusal(() => index.duplicateGroups(new Uint32Array(3), new Float32Array(1))), /3 row numbers for 1 scores/);
  assert.match(refusal(() => index.duplicateGroups(Uint32Array.of(0, 0, 7, 0), Float32Array.of(0.99))), /pair 0 names a row/);
  assert.deepEqual(index.duplicateGroups(new Uint32Array(0), new Float32Array(0)), []);
  index.delete();
});
