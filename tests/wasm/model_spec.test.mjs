// ModelSpec seen from JS (wasm/bind_model_spec.cpp): the tokenizer a tower
// uses, the ids tensor a text becomes, the graph check, the model/index check.
// The same core calls the CLI makes natively, so the words are the same.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

import { loadCore, refusal, sourceDir } from './support.mjs';

const core = await loadCore();
const demoDir = join(sourceDir, 'models/demo');
const demoText = readFileSync(join(demoDir, 'model.json'), 'utf8');
const demo = JSON.parse(demoText);
const bpe = readFileSync(join(demoDir, demo.tokenizer.files[0].path), 'utf8');

// The demo manifest with a second, fixed-length tower (MobileCLIP's contract).
const twoTowers = JSON.stringify({
  ...demo,
  text_towers: [{
    language: 'xx', variants: { fp32: { path: 'xx/text_model.onnx' } }, inputs: ['input_ids', 'attention_mask'],
    output: 'text_embeds', tokenizer: { kind: 'bpe_simple_vocab', files: ['bpe_simple_vocab_16e6.txt'], context_length: 8 },
    input: { length: 'fixed', pad_id: 0, pooling: 'none' },
  }],
});

const port = (name, type, shape) => ({ name, type, shape });
const textGraph = { inputs: [port('input_ids', 'int64', ['batch', 'sequence'])],
  outputs: [port('text_embeds', 'float32', ['batch', demo.embedding_dim])] };

test('a tower\'s tokenizer comes from its kind, with its context length', () => {
  const tok = core.towerTokenizer(demoText, 'text', [bpe]);
  assert.deepEqual([...tok.encode('a red circle')], [49406, 320, 736, 7117, 49407]);
  const short = core.towerTokenizer(twoTowers, 'text:xx', [bpe]);
  assert.equal(short.encode('a b c d e f g h i j').length, 8);  // the tower's context, end token kept
  assert.match(refusal(() => core.towerTokenizer(demoText, 'text', [])), /takes 1 file\(s\), got 0/);
  assert.match(refusal(() => core.towerTokenizer(demoText, 'text:fr', [bpe])), /no text tower for language "fr" \(it has en, zh\)/);
});

test('variable-length text is fed unpadded; fixed-length text is padded and masked', () => {
  const [ids] = core.textFeeds(demoText, 'text', Int32Array.of(49406, 320, 49407), textGraph);
  assert.equal(ids.name, 'input_ids');
  assert.equal(ids.type, 'int64');
  assert.deepEqual(ids.shape, [1, 3]);
  assert.deepEqual([...ids.data], [49406, 320, 49407]);

  const fixedGraph = { inputs: [port('input_ids', 'int32', [1, 8]), port('attention_mask', 'int64', [1, 8])],
    outputs: textGraph.outputs };
  const [fixedIds, mask] = core.textFeeds(twoTowers, 'text:xx', Int32Array.of(49406, 320, 49407), fixedGraph);
  assert.equal(fixedIds.type, 'int32');  // as the graph declares it
  assert.deepEqual(fixedIds.shape, [1, 8]);
  assert.deepEqual([...fixedIds.data], [49406, 320, 49407, 0, 0, 0, 0, 0]);
  assert.deepEqual([...mask.data], [1, 1, 1, 0, 0, 0, 0, 0]);
});

test('a graph that does not match model.json is refused naming both', () => {
  assert.equal(core.checkModelGraph(demoText, 'text', textGraph, 'text_model.onnx'), undefined);
  const wrong = { inputs: textGraph.inputs, outputs: [port('pooler_output', 'float32', ['batch', 128])] };
  assert.equal(refusal(() => core.checkModelGraph(demoText, 'text', wrong, 'text_model.onnx')),
    'text_model.onnx: the graph does not match model.json: model.json\'s text tower "en" names inputs [input_ids] ' +
    'and output text_embeds; the graph has inputs [input_ids] and outputs [pooler_output]');
  const vision = { inputs: [port('pixel_values', 'float32', ['batch', 3, 256, 256])],
    outputs: [port('image_embeds', 'float32', ['batch', 128])] };
  assert.match(refusal(() => core.checkModelGraph(demoText, 'vision', vision, 'vision_model.onnx')),
    /model.json says images are 224x224 RGB, \[batch, 3, 224, 224\], but the graph's input 'pixel_values' is \[\?, 3, 256, 256\]/);
  const fixedMismatch = { inputs: [port('input_ids', 'int64', [1, 77])], outputs: textGraph.outputs };
  assert.match(refusal(() => core.checkModelGraph(demoText, 'text', fixedMismatch, 'text_model.onnx')),
    /variable length \(up to 77 ids\), but the graph's input 'input_ids' takes exactly 77/);
});

test('an index from before fingerprint format 2 fits today\'s demo model', () => {
  const v1 = readFileSync(join(sourceDir, 'tests/data/index/demo-fingerprint-v1/manifest.json'), 'utf8');
  assert.equal(core.checkModelForIndex(demoText, v1, 'the page\'s model'), undefined);
  const other = JSON.stringify({ ...demo, accepted_fingerprints: [] });
  assert.match(refusal(() => core.checkModelForIndex(other, v1, 'the page\'s model')),
    /This index was built with another model: it needs "demo-shapes" \(fingerprint 19a3a3f64e4e…\)/);
  assert.deepEqual([...core.parseModelManifest(demoText).acceptedFingerprints], demo.accepted_fingerprints);
});
