// The module's one error convention (docs/WASM_API.md): a call that fails
// throws a ClipError with core's one-line message; a call that succeeds
// returns its value with no status fields; a lookup that finds nothing
// returns null. Checked on every kind of binding: free functions (with and
// without their optional argument), static class functions, methods.
import assert from 'node:assert/strict';
import test from 'node:test';

import { loadCore, refusal } from './support.mjs';

const core = await loadCore();
const garbage = new Uint8Array(64).fill(0xab);

test('a ClipError is an Error named ClipError, thrown, never returned', () => {
  let caught;
  try {
    core.parseModelManifest('{');
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof core.ClipError);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, 'ClipError');
  assert.match(caught.stack, /ClipError/);
});

test('free functions throw, whichever overload was called', () => {
  assert.match(refusal(() => core.preprocessImage(garbage)), /not an image/);
  assert.match(refusal(() => core.preprocessImage(garbage, { size: 32 })), /not an image/);
  assert.match(refusal(() => core.preprocessImage(new Uint8Array(8), { resample: 'nearest' })), /nearest/);
  refusal(() => core.preprocessCrop(garbage));
  refusal(() => core.decodeImage(garbage, {}));
  refusal(() => core.probeImage(garbage));
  refusal(() => core.parseIndexManifest('[]'));
  refusal(() => core.pickVariant('{', 'text', 'wasm'));
  refusal(() => core.encodeShard({ fingerprint: 'f', dim: 4, records: [{ id: 'a' }], embeddings: new Float32Array(3) }));
});

test('static class functions and methods throw', () => {
  refusal(() => core.Tokenizer.fromBpeMerges(''));
  refusal(() => core.Tokenizer.fromVocabMerges('{', ''));
  refusal(() => core.Tokenizer.fromTokenizerJson('{}'));
  const index = core.Index.fromManifest(JSON.stringify({
    version: 1, model: { name: 'm', fingerprint: 'fp' }, dim: 8, quantization: 'int8', binary_codes: true, count: 1,
    shards: [{ file: 'junk.bin', bytes: garbage.length, sha256: core.sha256Hex(garbage), count: 1 }],
  }));
  assert.match(refusal(() => index.addShard(0, garbage, '')), /junk\.bin/);
  assert.match(refusal(() => core.Index.fromManifest('{')), /manifest\.json/);
  refusal(() => index.findBySha256('xyz'));
  index.delete();
});

test('lookups that find nothing return null; calls that cannot fail return plain values', () => {
  const index = core.Index.fromManifest(core.makeIndexManifest({ name: 'm', fingerprint: 'fp', dim: 8 }, []));
  assert.equal(index.embedding('nobody'), null);
  assert.equal(index.findBySha256('0'.repeat(64)), null);
  assert.deepEqual({ ...core.imageFormat(garbage) }, { format: 'unknown', decodable: false });
  assert.match(core.sha256Hex(garbage), /^[0-9a-f]{64}$/);
  assert.equal(typeof core.kernelName(), 'string');
  index.delete();
});

test('a JS type error is still Embind\'s own exception, not a ClipError', () => {
  assert.throws(() => core.parseModelManifest(42), (err) => err.name !== 'ClipError');
});
