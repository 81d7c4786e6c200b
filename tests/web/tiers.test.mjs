// Tiered loading of a version-2 index (docs/WEB.md "Large indexes: tiers"):
// the page fetches the shards' heads by HTTP Range, then per query only the
// int8 rows of its candidates and the records of its hits. `?tiers=on` makes
// the 1,000-image demo index load this way (by default the core tiers only
// indexes of 200,000 images and more), so each case takes seconds.
//
// Servers: one that supports Range (multipart for several ranges), one that
// ignores it (200 with the whole file, as python3 -m http.server), and
// hostile ones (another range than asked, a short body, 200 where 206 was
// asked, other bytes under the right header), at load and mid-session.
// None may corrupt results or crash the page; each gets a clear message.
// Results are compared, score for score, with the same wasm core searching
// the whole index in node (first pass by sign bits, as the tiers use).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServer } from './static_server.mjs';
import { WEB_DIR, requireBuiltPage, launchBrowser, PageDriver, clearSite as clearSiteIn } from './harness.mjs';

requireBuiltPage();
const INDEX_DIR = path.join(WEB_DIR, 'index');
const manifestText = fs.readFileSync(path.join(INDEX_DIR, 'manifest.json'), 'utf8');
const manifest = JSON.parse(manifestText);
const shardPaths = new Set(manifest.shards.map((s) => `/index/${s.file}`));

let core;
let whole;  // the demo index, whole, in node
let server;
let browser;

before(async () => {
  ({ default: core } = await import(pathToFileURL(path.join(WEB_DIR, 'core/clipsearch_core.mjs')).href));
  core = await core();
  whole = core.Index.fromManifest(manifestText);
  manifest.shards.forEach((s, i) => {
    const bytes = fs.readFileSync(path.join(INDEX_DIR, s.file));
    whole.addShard(i, bytes, core.sha256Hex(bytes));
  });
  server = await startServer({ root: WEB_DIR });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function clearSite() {
  return clearSiteIn(browser.context, server.url);
}

// A fresh page on a server answering Range requests in `mode`.
async function open(mode, query, { tiers = 'on' } = {}) {
  server.ranges(mode);
  await clearSite();
  server.log.splice(0);
  return PageDriver.open(browser.context, `${server.url}?backend=wasm&tiers=${tiers}&${query}`);
}

// The page's first complete answer (to the query in its URL).
async function firstAnswer(page) {
  await page.ready();
  await page.page.waitForFunction(() => {
    const d = window.__clipsearch;
    return d.last && d.last.seq === d.seq && !d.last.partial;
  }, null, { timeout: 60_000, polling: 50 });
  return page.page.evaluate(() => window.__clipsearch.last);
}

const shardRequests = () => server.log.filter((r) => shardPaths.has(r.path));

// What the whole index answers for the page's query embedding.
function expected(answer, options = {}) {
  return whole.search(Float32Array.from(answer.embedding), { k: answer.hits.length || 24, ...options });
}

function assertSameHits(got, want, what) {
  assert.deepEqual(got.map((h) => [h.id, h.score]), want.map((h) => [h.id, h.score]), what);
}

async function indexInfo(page) {
  return page.page.evaluate(() => document.getElementById('index-info').textContent);
}

test('a server with Range: heads first, then only the rows and records a query needs; answers as the whole index', async () => {
  const page = await open('on', 'q=a red circle');
  const first = await firstAnswer(page);
  assert.equal(first.partial, null);
  assertSameHits(first.hits, expected(first, { firstPass: 'binary' }), 'first query');
  assert.match(await indexInfo(page), /rows fetched as needed/);
  const requests = shardRequests();
  assert.ok(requests.length > 0 && requests.every((r) => r.range.startsWith('bytes=')), 'every shard request is a Range request');
  for (const s of manifest.shards) {
    assert.ok(requests.some((r) => r.path === `/index/${s.file}` && r.range === `bytes=0-${s.head_bytes - 1}`), `head of ${s.file}`);
  }
  const fetched = first.parts.bytes;
  const wholeBytes = manifest.shards.reduce((n, s) => n + s.bytes, 0);
  const headBytes = manifest.shards.reduce((n, s) => n + s.head_bytes, 0);
  console.log(`TIERS heads=${headBytes} rows_and_records=${fetched} whole=${wholeBytes}`);
  assert.ok(headBytes + fetched < wholeBytes / 2, `heads ${headBytes} + parts ${fetched} of ${wholeBytes}`);

  // Another query, then the first again: the repeat fetches nothing.
  const second = await page.search('a blue square');
  assertSameHits(second.hits, expected(second, { firstPass: 'binary' }), 'second query');
  const before = shardRequests().length;
  const repeat = await page.search('a red circle');
  assertSameHits(repeat.hits, first.hits, 'repeat');
  assert.equal(shardRequests().length, before, 'a repeat query costs no request');

  // "Similar" on a hit: its stored vector (fetched), itself left out.
  const hit = repeat.hits[3];
  const similar = await page.answer(() => page.page.locator(`[data-testid="result"][data-id="${hit.id}"] [data-testid="similar"]`).click());
  assert.ok(!similar.hits.some((h) => h.id === hit.id), 'the query image is left out');
  assert.deepEqual(Array.from(similar.embedding), Array.from(whole.embedding(hit.id)));
  assertSameHits(similar.hits, expected(similar, { firstPass: 'binary', excludeId: hit.id }), 'similar');
  await page.page.close();
});

test('a server without Range (200 with the whole file, as python\'s http.server): whole shards, and the page says so', async () => {
  const page = await open('off', 'q=a green star');
  const answer = await firstAnswer(page);
  const s = await page.status();
  assert.match(s.text, /ignores HTTP Range requests.*whole index is downloaded/);
  assertSameHits(answer.hits, expected(answer), 'whole shards, int8 scan');
  assert.ok(!/rows fetched as needed/.test(await indexInfo(page)));
  await page.page.close();
});

for (const [mode, said] of [
  ['wrong-range', /answers HTTP Range requests wrongly \(the server answered other bytes than asked/],
  ['short', /answers HTTP Range requests wrongly \(.*(short|broke off)/],
  ['200', /ignores HTTP Range requests \(it answered 200/],
]) {
  test(`a hostile server (${mode}) at load: whole shards instead, said so, right answers`, async () => {
    const page = await open(mode, 'q=a yellow triangle');
    const answer = await firstAnswer(page);
    const { text } = await page.status();
    assert.match(text, said);
    assert.match(text, /, so the whole index is downloaded \(/);
    assertSameHits(answer.hits, expected(answer), mode);
    await page.page.close();
  });
}

test('a hostile server mid-session: each bad answer fails its query with a clear message, no results shown, the next good answer works', async () => {
  const page = await open('on', 'q=a red circle');
  await page.ready();
  const queries = ['a blue star', 'a green square', 'a purple circle', 'two shapes: a red star and a blue circle'];
  for (const [i, [mode, message]] of [
    ['wrong-range', /index server answered a byte-range request with other bytes/],
    ['short', /index server (sent a short answer|answered a byte-range request with other bytes|could not be reached)/],
    ['200', /index server stopped answering HTTP Range requests/],
    ['lying-range', /index server sent bytes that fail the index's checks: shard-\d+\.bin: vector \d+ at offset \d+ fails its CRC-32C check/],
  ].entries()) {
    server.ranges(mode);
    const bad = await page.search(queries[i]);
    assert.match(bad.error || '', message, `${mode}: ${JSON.stringify(bad).slice(0, 300)}`);
    assert.equal((await page.results()).length, 0, `${mode}: no results shown`);
    assert.equal((await page.status()).state, 'error');
    server.ranges('on');
    const good = await page.search(`${queries[i]} `);  // the same text again (trailing space: a new query)
    assertSameHits(good.hits, expected(good, { firstPass: 'binary' }), `${mode}: after the server recovered`);
  }
  await page.page.close();
});

test('a server that sends other bytes under the right Content-Range: the heads fail their hash, named', async () => {
  const page = await open('lying-range', 'q=a red circle');
  const s = await page.settled();
  assert.equal(s.state, 'error');
  assert.match(s.text, /^Index damaged: shard-00000\.bin: the SHA-256 of its head, [0-9a-f]+…, differs from manifest\.json's/);
  assert.match(s.text, /0 of 1,000 images are searchable\.$/);
  await page.page.close();
});
