// WordPiece bindings against the ids of Chinese-CLIP's own reference
// tokenizer (tests/data/text/README.md): every case must match, as natively.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

import { loadCore, readData, refusal, sourceDir } from './support.mjs';

const core = await loadCore();
const vocab = readData('text/wordpiece_vocab.txt').toString('utf8');
const cases = readData('text/wordpiece_cases.jsonl').toString('utf8')
  .split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line));

test('Chinese-CLIP vocabulary loads, with its special ids', () => {
  const tok = core.WordPieceTokenizer.fromVocabTxt(vocab);
  assert.ok(tok instanceof core.WordPieceTokenizer);
  assert.equal(tok.startId, 101);
  assert.equal(tok.endId, 102);
  assert.equal(tok.unknownId, 100);
  assert.equal(tok.padId, 0);
  assert.equal(tok.vocabSize, 21128);
  tok.delete();
});

test('every golden case encodes to the reference ids', () => {
  const tok = core.WordPieceTokenizer.fromVocabTxt(vocab);
  assert.equal(cases.length, 400);
  const mismatches = [];
  for (const c of cases) {
    const ids = tok.encode(c.text);
    assert.ok(ids instanceof Int32Array);
    if (ids.length !== c.input_ids.length || ids.some((id, i) => id !== c.input_ids[i])) {
      mismatches.push(`${JSON.stringify(c.text)}: got [${ids}], want [${c.input_ids}]`);
    }
  }
  assert.deepEqual(mismatches.slice(0, 5), [], `${mismatches.length} of ${cases.length} differ`);
  tok.delete();
});

test('a short context keeps [SEP]; the default is 52', () => {
  const tok = core.WordPieceTokenizer.fromVocabTxt(vocab);
  const ids = tok.encode('左边有一个蓝色的星星', 5);
  assert.deepEqual([...ids], [101, 2340, 6804, 3300, 102]);
  assert.equal(tok.encode('红'.repeat(200)).length, 52);
  tok.delete();
});

test('a vocabulary without [CLS] is refused with a ClipError', () => {
  assert.match(refusal(() => core.WordPieceTokenizer.fromVocabTxt('[PAD]\n[SEP]\n[UNK]\n')), /no \[CLS\] token/);
});

test('pickQueryLanguage sends Chinese to the zh tower, as the CLI does', () => {
  assert.equal(core.pickQueryLanguage('红色的圆形', 'auto', ['en', 'zh']), 'zh');
  assert.equal(core.pickQueryLanguage('a red circle', 'auto', ['en', 'zh']), 'en');
  assert.equal(core.pickQueryLanguage('红色的圆形', 'auto', ['en']), 'en');
  assert.equal(core.pickQueryLanguage('a red circle', 'zh', ['en', 'zh']), 'zh');
  assert.throws(() => core.pickQueryLanguage('x', 'fr', ['en', 'zh']),
    (e) => e instanceof core.ClipError && /language 'fr': this model's text towers read en, zh/.test(e.message));
});

test('the demo model.json lists its Chinese tower for the page', () => {
  const json = readFileSync(join(sourceDir, 'models/demo/model.json'), 'utf8');
  const m = core.parseModelManifest(json);
  assert.equal(m.textLanguage, 'en');
  assert.equal(m.textTowers.length, 1);
  const zh = m.textTowers[0];
  assert.equal(zh.language, 'zh');
  assert.equal(zh.tokenizerKind, 'wordpiece');
  assert.equal(zh.contextLength, 52);
  assert.deepEqual(zh.tokenizerFiles.map((f) => f.path), ['vocab.txt']);
  assert.equal(core.pickVariant(json, 'text:zh', 'wasm').path, 'text_model_zh.onnx');
  assert.equal(core.pickVariant(json, 'text', 'wasm').path, 'text_model.onnx');
  assert.throws(() => core.pickVariant(json, 'text:fr', 'wasm'), (e) => e instanceof core.ClipError);
  // The same vocabulary file gives the golden ids through the tower's kind.
  const tok = core.WordPieceTokenizer.fromVocabTxt(readFileSync(join(sourceDir, 'models/demo/vocab.txt'), 'utf8'));
  assert.deepEqual([...tok.encode('红色的圆', zh.contextLength)], [101, 5273, 5682, 4638, 1749, 102]);
  tok.delete();
});
