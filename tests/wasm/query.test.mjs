// Query bindings against the native CLI on a real demo index: the page's
// expression parsing, term combination, match verdict, unknown words and
// zero-shot labels must be the CLI's to the last bit (same core code).
// Embeddings come from `clipsearch embed` (no encoder runs under node).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';

import { loadCore, runCli, sourceDir } from './support.mjs';

const cli = process.env.CLIPSEARCH_CLI ?? join(sourceDir, 'build/tools/clipsearch');

const core = await loadCore();
const dir = mkdtempSync(join(tmpdir(), 'clipsearch-wasm-query-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const model = JSON.parse(readFileSync(join(sourceDir, 'models/demo/model.json'), 'utf8'));
runCli('demo-data', '--out', join(dir, 'set'), '--count', '60', '--seed', '35');
runCli('index', '--input', join(dir, 'set/captions.jsonl'), '--out', join(dir, 'index'), '--no-thumbs',
       '--shard-size', '25', '--device', 'cpu');
// The index as the page opens it: its manifest, then each shard it lists.
const manifestText = readFileSync(join(dir, 'index/manifest.json'), 'utf8');
const shardFiles = JSON.parse(manifestText).shards.map((s) => s.file);
const shardBytes = (i) => readFileSync(join(dir, 'index', shardFiles[i]));
const index = core.Index.fromManifest(manifestText);
shardFiles.forEach((_, i) => index.addShard(i, shardBytes(i), ''));

// The texts' embeddings from the native text encoder, one row each.
function embed(texts) {
  const stdout = execFileSync(cli, ['embed', '--jsonl'], {
    input: texts.map((t) => JSON.stringify(t)).join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 26,
  });
  return Float32Array.from(stdout.trim().split('\n').flatMap((line) => JSON.parse(line)));
}
const cliQuery = (expr, k = 5) => JSON.parse(runCli('search', '--index', join(dir, 'index'), '--query', expr,
                                                     '-k', String(k), '--json-full'));

test('parseQuery and formatQuery round-trip and name the character of an error', () => {
  const terms = core.parseQuery('2:a red circle - "t-shirt" + similar:images/000001.png');
  assert.deepEqual(terms.map((t) => [t.weight, t.text, t.kind, t.column]),
                   [[2, 'a red circle', 'text', 1], [-1, 't-shirt', 'text', 18], [1, 'images/000001.png', 'id', 30]]);
  const expression = core.formatQuery(terms);
  // Quotes only where the parser would read an operator: t-shirt needs none.
  assert.equal(expression, '2:a red circle - t-shirt + similar:images/000001.png');
  const same = (ts) => ts.map((t) => [t.weight, t.text, t.kind]);
  assert.deepEqual(same(core.parseQuery(expression)), same(terms));
  assert.throws(() => core.parseQuery('a red circle +'),
                { name: 'ClipError', message: "query: expected a term at character 15 (after '+'), found the end" });
  assert.throws(() => core.formatQuery([{ text: 'x', kind: 'photo' }]), /kind 'photo'/);
});

test('an expression combined and judged in wasm gives the CLI answer', () => {
  const captions = core.calibrationCaptions();
  assert.equal(captions.length, 64);
  const cal = index.calibrateMatches(embed(captions));
  assert.deepEqual([cal.textQueries, cal.imageQueries], [64, 60]);

  // The page's tokenizer: the primary tower's, as model.json says.
  const tok = core.towerTokenizer(JSON.stringify(model), 'text',
    model.tokenizer.files.map((f) => readFileSync(join(sourceDir, 'models/demo', f.path ?? f), 'utf8')));
  const known = Int32Array.from(model.text.trained_token_ids);
  for (const expr of ['a red circle - red + blue', '2:a green star + 0.5:small', 'a dog on the beach', 'a purple cross']) {
    const terms = core.parseQuery(expr);
    const q = core.combineEmbeddings(embed(terms.map((t) => t.text)), Float32Array.from(terms, (t) => t.weight), index.dim);
    assert.ok(q instanceof Float32Array);
    const hits = index.search(q, { k: 5 });
    const unknown = core.unknownWords(tok, terms.filter((t) => t.weight > 0).map((t) => t.text), known);
    const verdict = index.judgeMatch(q, hits[0].score, false, unknown);
    const native = cliQuery(expr);
    assert.deepEqual(hits.map((h) => [h.id, h.score]), native.results.map((h) => [h.id, h.score]), expr);
    assert.equal(verdict.level, native.match, expr);
    assert.equal(verdict.percentile, native.match_percentile, expr);
    assert.equal(verdict.lift, native.lift, expr);
    assert.deepEqual(verdict.unknownWords, native.unknown_words, expr);
  }
  tok.delete();
  // Another tower's tokenizer (WordPiece) is not judged by CLIP's word pieces.
  const zh = model.text_towers.find((t) => t.language === 'zh');
  const zhTok = core.towerTokenizer(JSON.stringify(model), 'text:zh',
    zh.tokenizer.files.map((f) => readFileSync(join(sourceDir, 'models/demo', f.path), 'utf8')));
  assert.deepEqual(core.unknownWords(zhTok, ['a dog on the beach'], known), []);
  zhTok.delete();
});

test('an image term is judged against the index images', () => {
  index.calibrateMatches(null);
  const q = index.embedding('images/000004.png');
  const hits = index.search(q, { k: 3, excludeId: 'images/000004.png' });
  const native = JSON.parse(runCli('search', '--index', join(dir, 'index'), '--query', 'similar:images/000004.png',
                                   '-k', '3', '--exclude-self', '--json-full'));
  assert.deepEqual(hits.map((h) => h.id), native.results.map((h) => h.id));
  const verdict = index.judgeMatch(q, hits[0].score, true, []);
  assert.equal(verdict.level, native.match);
  assert.equal(verdict.percentile, native.match_percentile);
  // Text was not calibrated this time: no verdict rather than a wrong one.
  assert.equal(index.judgeMatch(q, hits[0].score, false, []), null);
});

test('no verdict for an index that grew since its calibration', () => {
  const small = core.Index.fromManifest(manifestText);
  small.addShard(0, shardBytes(0), '');
  small.calibrateMatches(null);
  const q = small.embedding('images/000000.png');
  assert.notEqual(small.judgeMatch(q, 0.9, true, []), null);
  small.addShard(1, shardBytes(1), '');
  assert.equal(small.judgeMatch(q, 0.9, true, []), null);
  assert.throws(() => core.Index.fromManifest(manifestText).calibrateMatches(null), { name: 'ClipError', message: /no shards/ });
  small.delete();
});

test('combineEmbeddings refuses what has no direction', () => {
  assert.throws(() => core.combineEmbeddings(Float32Array.of(1, 0, 1, 0), Float32Array.of(1, -1), 2), /cancel out/);
  assert.throws(() => core.combineEmbeddings(Float32Array.of(1, 0, 1), Float32Array.of(1, 1), 2), /3 floats for 2 terms/);
});

test('scoreLabels gives the CLI labels', () => {
  const image = join(dir, 'set/images/000002.png');
  const labels = ['a red star', 'a blue circle', 'a green heart', 'a white cross'];
  const native = JSON.parse(runCli('labels', '--image', image, '--template', '{}', '--json',
                                   ...labels.flatMap((l) => ['--label', l])));
  const imageEmbedding = Float32Array.from(JSON.parse(runCli('embed', '--image', image)));
  const scores = core.scoreLabels(imageEmbedding, embed(labels), imageEmbedding.length, model.logit_scale);
  assert.deepEqual(scores.map((s) => labels[s.label]), native.map((n) => n.label));
  scores.forEach((s, i) => {
    assert.ok(Math.abs(s.score - native[i].score) < 1e-6);
    assert.ok(Math.abs(s.prob - native[i].prob) < 1e-6);
  });
  assert.equal(core.applyLabelTemplate(core.defaultLabelTemplate, 'a cat'), 'a photo of a cat');
  assert.throws(() => core.applyLabelTemplate('a photo', 'cat'), /no \{\}/);
  assert.deepEqual(core.parseLabelList('# x\na\n\nb\na\n'), ['a', 'b']);
  assert.throws(() => core.scoreLabels(imageEmbedding, new Float32Array(0), imageEmbedding.length, 10), /label values/);
});
