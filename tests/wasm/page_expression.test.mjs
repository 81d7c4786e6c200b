// The page worker's expression helpers (web/js/worker/expression.js) over the
// real wasm core: the terms a query is made of, the box rewritten when a chip
// changes, the expression a link carries.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'node:test';

import { loadCore, sourceDir } from './support.mjs';

const core = await loadCore();
const { queryTerms, editBox, shareableExpression, selfIdOf, imageModality, embedTerms } =
  await import(pathToFileURL(join(sourceDir, 'web/js/worker/expression.js')).href);

test('a query is its base (photo or Similar) then the box terms', () => {
  assert.deepEqual(queryTerms(core, { kind: 'text', text: 'a red circle - 2:red' }).map((t) => [t.source, t.kind, t.text, t.weight]),
                   [['box', 'text', 'a red circle', 1], ['box', 'text', 'red', -2]]);
  const photo = queryTerms(core, { kind: 'image', name: 'cat.jpg', text: '- people', baseWeight: 3 });
  assert.deepEqual(photo.map((t) => [t.source, t.kind, t.weight]), [['base', 'photo', 3], ['box', 'text', -1]]);
  assert.equal(imageModality(photo), true);
  const similar = queryTerms(core, { kind: 'similar', id: 'img-1.png', text: '' });
  assert.deepEqual(similar.map((t) => [t.kind, t.text]), [['id', 'img-1.png']]);
  assert.throws(() => queryTerms(core, { kind: 'text', text: 'red +' }), { kind: 'query', message: /^Query: expected a term at character 6/ });
  assert.throws(() => queryTerms(core, { kind: 'text', text: '  ' }), /empty/);
});

test('the indexed image a query names is the one left out', () => {
  const terms = queryTerms(core, { kind: 'text', text: '- similar:a.png + similar:b.png' });
  assert.equal(selfIdOf(terms, ''), 'b.png');
  assert.equal(imageModality(terms), true);
  assert.equal(selfIdOf(queryTerms(core, { kind: 'image', text: '' }), 'x.png'), 'x.png');
  assert.equal(imageModality(queryTerms(core, { kind: 'text', text: 'red - similar:a.png' })), false);
});

test('a chip edit rewrites the box with the core', () => {
  assert.equal(editBox(core, 'a red circle - red + blue', 2, 2), 'a red circle - red + 2:blue');
  assert.equal(editBox(core, 'a red circle - red + blue', 1, 0.5), 'a red circle - 0.5:red + blue');
  assert.equal(editBox(core, 'a red circle - red + blue', 0, null), '-red + blue');
  assert.equal(editBox(core, 'at night', 0, null), '');
  // Beside a photo the box keeps its leading operator, so it still combines.
  assert.equal(editBox(core, '+ at night - people', 1, null, true), '+ at night');
  assert.equal(editBox(core, '- people + at night', 1, null, true), '-people');
  assert.throws(() => editBox(core, 'red', 3, 1), /no term 4/);
});

test('a link carries an indexed photo as similar:ID, an unindexed one not at all', () => {
  const terms = queryTerms(core, { kind: 'image', text: '- red', baseWeight: 2 });
  assert.equal(shareableExpression(core, terms, 'images/000001.png'), '2:similar:images/000001.png - red');
  assert.equal(shareableExpression(core, terms, ''), null);
  assert.equal(shareableExpression(core, queryTerms(core, { kind: 'similar', id: 'a-b.png', text: '+ blue' }), ''),
               'similar:a-b.png + blue');
});

test('one plain term is its own embedding; more are combined by the core', async () => {
  const a = Float32Array.of(1, 0), b = Float32Array.of(0, 1);
  const rows = { a, b };
  const one = await embedTerms(core, [{ kind: 'text', text: 'a', weight: 1 }], 2, (t) => rows[t.text]);
  assert.equal(one, a);
  const two = await embedTerms(core, [{ kind: 'text', text: 'a', weight: 1 }, { kind: 'text', text: 'b', weight: -1 }], 2, (t) => rows[t.text]);
  assert.ok(Math.abs(two[0] - Math.SQRT1_2) < 1e-6 && Math.abs(two[1] + Math.SQRT1_2) < 1e-6);
  await assert.rejects(embedTerms(core, [{ kind: 'text', text: 'a', weight: 1 }, { kind: 'text', text: 'a', weight: -1 }], 2,
                                  (t) => rows[t.text]), /cancel out/);
});
