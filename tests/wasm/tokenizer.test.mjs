// Tokenizer bindings against the golden ids of the Hugging Face fast CLIP
// tokenizer (tests/data/text/README.md): every case must match.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

import { loadCore, readData, refusal, sourceDir } from './support.mjs';

const core = await loadCore();
const merges = readFileSync(join(sourceDir, 'models/clip-bpe/bpe_simple_vocab_16e6.txt'), 'utf8');
const cases = readData('text/tokenizer_cases.jsonl').toString('utf8')
  .split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line));

test('bundled merges load, with the CLIP special ids', () => {
  const tok = core.Tokenizer.fromBpeMerges(merges);
  assert.ok(tok instanceof core.Tokenizer);
  assert.equal(tok.startId, 49406);
  assert.equal(tok.endId, 49407);
  assert.equal(tok.vocabSize, 49408);
  tok.delete();
});

test('every golden case encodes to the reference ids', () => {
  const tok = core.Tokenizer.fromBpeMerges(merges);
  assert.ok(cases.length >= 600, `only ${cases.length} golden cases`);
  const mismatches = [];
  for (const c of cases) {
    const ids = tok.encode(c.text, 77);
    assert.ok(ids instanceof Int32Array);
    if (ids.length !== c.input_ids.length || ids.some((id, i) => id !== c.input_ids[i])) {
      mismatches.push(`${JSON.stringify(c.text)}: got [${ids}], want [${c.input_ids}]`);
    }
  }
  assert.deepEqual(mismatches.slice(0, 5), [], `${mismatches.length} of ${cases.length} differ`);
  tok.delete();
});

test('encode without a context length uses 77', () => {
  const tok = core.Tokenizer.fromBpeMerges(merges);
  const long = cases.reduce((a, b) => (b.input_ids.length > a.input_ids.length ? b : a));
  assert.equal(long.input_ids.length, 77);
  assert.deepEqual([...tok.encode(long.text)], long.input_ids);
  tok.delete();
});

test('a short context keeps the end token', () => {
  const tok = core.Tokenizer.fromBpeMerges(merges);
  const ids = tok.encode('a photo of a dog running on the beach at sunset', 6);
  assert.equal(ids.length, 6);
  assert.equal(ids[0], tok.startId);
  assert.equal(ids[5], tok.endId);
  const full = tok.encode('a photo of a dog running on the beach at sunset', 77);
  assert.deepEqual([...ids.subarray(0, 5)], [...full.subarray(0, 5)]);
  // The page's int64 input_ids for ONNX Runtime.
  assert.deepEqual(BigInt64Array.from(ids, BigInt)[5], 49407n);
  tok.delete();
});

test('the three vocabulary formats give the same tokenizer', () => {
  // Small fixtures made from the first 2,000 CLIP merges (tests/data/text/README.md).
  const text = (name) => readData(`text/${name}`).toString('utf8');
  const smallMerges = text('small_merges.txt');
  const loaded = [
    core.Tokenizer.fromBpeMerges(smallMerges),
    core.Tokenizer.fromVocabMerges(text('small_vocab.json'), smallMerges),
    core.Tokenizer.fromTokenizerJson(text('small_tokenizer.json')),
    core.Tokenizer.fromTokenizerJson(text('small_tokenizer_pairs.json')),
  ];
  assert.equal(loaded[0].vocabSize, 512 + 2000 + 2);
  for (const c of cases) {
    const expected = [...loaded[0].encode(c.text)];
    for (const tok of loaded.slice(1)) assert.deepEqual([...tok.encode(c.text)], expected, JSON.stringify(c.text));
  }
  loaded.forEach((tok) => tok.delete());
});

test('malformed vocabularies are refused with one-line ClipErrors', () => {
  for (const make of [
    () => core.Tokenizer.fromBpeMerges(''),
    () => core.Tokenizer.fromBpeMerges('#version: 0.2\nnot-a-pair\n'),
    () => core.Tokenizer.fromVocabMerges('{"a": ', 'a b\n'),
    () => core.Tokenizer.fromVocabMerges('[1, 2]', '#version: 0.2\n'),
    () => core.Tokenizer.fromTokenizerJson('{}'),
    () => core.Tokenizer.fromTokenizerJson('\u0000\u00ff garbage'),
  ]) {
    refusal(make);
  }
});
