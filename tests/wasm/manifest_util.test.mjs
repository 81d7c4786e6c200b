// Manifest parsing (core's one parser, seen from JS) and the small utilities.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import test from 'node:test';

import { loadCore, random, readData, refusal } from './support.mjs';

const core = await loadCore();
const modelText = readData('model/clip-vit-base-patch32.json').toString('utf8');
const modelJson = JSON.parse(modelText);

test('a model manifest becomes a plain object with the file\'s values', () => {
  const m = core.parseModelManifest(modelText);
  assert.equal(m.ok, undefined, 'success values carry no status fields');
  assert.equal(m.name, modelJson.name);
  assert.equal(m.embeddingDim, modelJson.embedding_dim);
  assert.equal(m.contextLength, modelJson.tokenizer.context_length);
  assert.equal(m.tokenizerKind, modelJson.tokenizer.kind);
  assert.deepEqual(m.tokenizerFiles.map((f) => f.path), modelJson.tokenizer.files);
  assert.equal(m.text.variants.fp16.path, modelJson.text.variants.fp16.path);
  assert.equal(m.vision.variants.fp16.sha256, modelJson.vision.variants.fp16.sha256);
  assert.deepEqual(m.vision.inputNames, modelJson.vision.inputs);
  assert.equal(m.text.outputName, modelJson.text.output);
  assert.equal(m.image.size, modelJson.image.size);
  assert.deepEqual(m.image.mean, modelJson.image.mean.map(Math.fround));
  assert.deepEqual(m.image.std, modelJson.image.std.map(Math.fround));
  assert.deepEqual({ ...m.preferredPrecision }, modelJson.preferred_precision);
});

test('pickVariant follows the manifest\'s preferences', () => {
  const pick = (encoder, backend) => core.pickVariant(modelText, encoder, backend);
  assert.equal(pick('vision', 'webgpu').path, modelJson.vision.variants[modelJson.preferred_precision.webgpu].path);
  assert.equal(pick('text', 'wasm').path, modelJson.text.variants[modelJson.preferred_precision.wasm].path);
  assert.equal(pick('text', 'no-such-backend').path, modelJson.text.variants.fp32.path);
  assert.match(refusal(() => pick('audio', 'wasm')), /encoder/);
});

test('a manifest\'s image section drives preprocessing', () => {
  const m = core.parseModelManifest(modelText);
  const rgba = new Uint8Array(50 * 40 * 4).fill(128);
  assert.equal(core.preprocessRgba(rgba, 50, 40, m.image).tensor.length, 3 * m.image.size * m.image.size);
});

// An index folder's manifest.json as `clipsearch index` writes it.
const indexManifest = {
  version: 1,
  tool_version: '0.1.0',
  created_utc: '2025-01-01T00:00:00Z',
  model: { name: modelJson.name, fingerprint: 'ab'.repeat(32), location: '../models/clip-vit-base-patch32' },
  dim: 512,
  quantization: 'int8',
  binary_codes: true,
  count: 1500,
  shards: [
    { file: 'shard-00000.bin', bytes: 1234567, sha256: '01'.repeat(32), count: 1000 },
    { file: 'shard-00001.bin', bytes: 617283, sha256: '02'.repeat(32), count: 500 },
  ],
};

test('an index manifest becomes a plain object with the file\'s values', () => {
  const x = core.parseIndexManifest(JSON.stringify(indexManifest));
  assert.equal(x.version, 1);
  assert.equal(x.toolVersion, indexManifest.tool_version);
  assert.equal(x.createdUtc, indexManifest.created_utc);
  assert.equal(x.modelName, indexManifest.model.name);
  assert.equal(x.modelFingerprint, indexManifest.model.fingerprint);
  assert.equal(x.modelLocation, indexManifest.model.location);
  assert.equal(x.dim, 512);
  assert.equal(x.quantization, 'int8');
  assert.equal(x.binaryCodes, true);
  assert.equal(x.count, 1500);
  // Version 1 lists version-1 shards, which have no head.
  assert.deepEqual(x.shards.map((s) => ({ ...s })), indexManifest.shards.map((s) => ({ ...s, version: 1, headBytes: 0, headSha256: '' })));
});

test('an index manifest that does not add up is refused', () => {
  const bad = [
    { ...indexManifest, count: 1499 },
    { ...indexManifest, shards: [{ ...indexManifest.shards[0], file: '../../secret.bin' }] },
    { ...indexManifest, dim: 7 },
  ];
  for (const m of bad) assert.match(refusal(() => core.parseIndexManifest(JSON.stringify(m))), /^manifest\.json: /);
});

test('broken manifests give one-line errors', () => {
  const broken = [
    '',
    '{',
    '[]',
    JSON.stringify({ ...modelJson, embedding_dim: -1 }),
    JSON.stringify({ ...modelJson, name: undefined }),
    JSON.stringify({ ...modelJson, text: { ...modelJson.text, variants: { fp32: { path: '../../etc/passwd' } } } }),
  ];
  for (const text of broken) refusal(() => core.parseModelManifest(text));
  for (const text of ['', '{', '{"shards": 5}']) refusal(() => core.parseIndexManifest(text));
});

test('sha256Hex equals node:crypto at block boundaries and beyond', () => {
  const next = random(9);
  for (const size of [0, 1, 55, 56, 63, 64, 65, 1000, 1 << 20]) {
    const bytes = Uint8Array.from({ length: size }, () => Math.floor(next() * 256));
    assert.equal(core.sha256Hex(bytes), createHash('sha256').update(bytes).digest('hex'), `${size} bytes`);
  }
  assert.equal(core.sha256Hex(new Uint8Array(3).buffer), createHash('sha256').update(new Uint8Array(3)).digest('hex'));
});

test('search runs on the WebAssembly SIMD kernel', () => {
  assert.equal(core.kernelName(), 'wasm_simd128');
});
