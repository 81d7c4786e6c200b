// The page end to end, on each backend (?backend=wasm, ?backend=webgpu), with
// the demo model and demo index that `cmake --build build --target web`
// assembled: text search, image drop, "Similar", top-K and threshold, and a
// reload served from the caches with the model unreachable.
//
// The demo index's captions.jsonl records what each image really holds
// (`objects`), so relevance is checked against the truth, not a snapshot.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './static_server.mjs';
import {
  WEB_DIR, BACKENDS, LOAD_TIMEOUT_MS, requireBuiltPage, launchBrowser, PageDriver, cosine, demoTruth, timing,
} from './harness.mjs';

requireBuiltPage();
const truth = demoTruth();

// The colour+shape pair most images hold, so the top results can all match.
function commonPair() {
  const counts = new Map();
  for (const r of truth.values()) {
    for (const key of new Set(r.objects.map((o) => `${o.color} ${o.shape}`))) counts.set(key, (counts.get(key) || 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0][0].split(' ');
}
const [COLOR, SHAPE] = commonPair();
const QUERY = `a ${COLOR} ${SHAPE}`;
const holds = (id, color, shape) => truth.get(id)?.objects.some((o) => o.color === color && o.shape === shape);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const backend of BACKENDS) {
  // WebAssembly runs cross-origin isolated (COOP + COEP: threads on), WebGPU
  // as a plain static host serves it (threads off), so both setups are seen.
  const isolate = backend === 'wasm';
  const threads = isolate && os.availableParallelism() > 1;
  const report = (fields) => timing({ backend, threads: threads ? 'on' : 'off', ...fields });
  describe(`backend=${backend}`, () => {
    let server;
    let browser;
    let page;  // PageDriver, shared by the steps below (one model load per backend)
    const pageUrl = () => `${server.url}?backend=${backend}&q=${encodeURIComponent(QUERY)}`;

    before(async () => {
      server = await startServer({ root: WEB_DIR, isolate });
      browser = await launchBrowser();
    });
    after(async () => {
      if (page) console.log(page.console.filter((l) => /error/i.test(l)).join('\n'));
      await browser.close();
      await server.close();
    });

    test(`text query "${QUERY}" returns mostly matching images`, async () => {
      page = await PageDriver.open(browser.context, pageUrl());
      await page.testid('result').first().waitFor({ timeout: LOAD_TIMEOUT_MS });
      report({ cold_first_result_ms: Date.now() - page.navigatedAt });
      await page.ready();

      const backendText = await page.testid('backend').textContent();
      assert.match(backendText, new RegExp(backend), `backend label "${backendText}"`);
      assert.match(backendText, threads ? /threads on/ : /threads off/);

      const hits = await page.results();
      assert.equal(hits.length, 24, 'default top-K');
      const top = hits.slice(0, 8);
      const good = top.filter((h) => holds(h.id, COLOR, SHAPE)).length;
      assert.ok(good >= 6, `only ${good} of the top 8 hold a ${COLOR} ${SHAPE}: ${top.map((h) => h.caption).join(' | ')}`);
      for (const h of hits) {
        assert.match(h.score, /^\d+(\.\d)?%$/);
        assert.equal(h.alt, h.caption, 'alt text is the caption');
        assert.ok(h.hasSimilar);
      }
      assert.deepEqual(hits.map((h) => h.cosine), hits.map((h) => h.cosine).sort((a, b) => b - a), 'best first');
      assert.match(await page.page.locator('[aria-live="polite"]').first().textContent(), /24 results/);
    });

    test('typing updates results without blocking the page; the newest query wins', async () => {
      await page.page.evaluate(() => {
        window.__longTasks = [];
        new PerformanceObserver((l) => window.__longTasks.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
      });
      const other = truth.values().next().value.objects[0];
      const text = `a ${other.color} ${other.shape}`;
      const query = page.testid('query');
      await page.search('');
      await query.pressSequentially(text, { delay: 15 });
      // Under load a pause between keys may send a prefix first; wait for
      // the answer to the whole text.
      await page.page.waitForFunction((t) => {
        const d = window.__clipsearch;
        return d.last?.seq === d.seq && d.last.text === t;
      }, text, { timeout: LOAD_TIMEOUT_MS });
      const typed = (await page.results()).map((h) => h.id);
      // The same text searched on its own gives the same list: no older,
      // shorter prefix's answer was left on screen.
      await page.search('');
      await page.search(text);
      assert.deepEqual((await page.results()).map((h) => h.id), typed);
      assert.equal(new URL(page.page.url()).searchParams.get('q'), text, 'URL keeps the query');

      const latencies = [];
      for (const q of ['a small blue square', 'a large green star', 'a purple heart on the left', 'two red circles', 'a white cross']) {
        await page.search(q);
        latencies.push((await page.page.evaluate(() => window.__clipsearch.latenciesMs.at(-1))).ms);
      }
      report({ text_query_ms_median: median(latencies), text_query_ms_max: Math.max(...latencies) });
      const longest = Math.max(0, ...(await page.page.evaluate(() => window.__longTasks)));
      assert.ok(longest < 500, `the page thread was blocked for ${longest} ms`);
      // The model, the runtime and the index are loaded by the worker alone.
      const heavy = await page.page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name)
        .filter((u) => /\/ort\/|\.onnx$|shard-\d+\.bin$|clipsearch_core/.test(u)));
      assert.deepEqual(heavy, [], 'the page thread fetched no runtime, model or index files');
    });

    test('a dropped image that is in the index comes back first, or is excluded', async () => {
      const [id] = truth.keys();
      const file = path.join(WEB_DIR, 'index', id);
      assert.equal(await page.testid('exclude-self').isChecked(), true, 'exclude-self is on by default');

      const t0 = Date.now();
      const excluded = await page.dropFile(file);
      report({ first_image_query_ms: Date.now() - t0 });
      assert.equal(excluded.kind, 'image', JSON.stringify(excluded.error || ''));
      assert.equal(excluded.selfId, id, 'recognised by the SHA-256 of its bytes');
      const hits = await page.results();
      assert.ok(hits.length > 0);
      assert.ok(!hits.some((h) => h.id === id), 'the photo itself is excluded');
      assert.match(await page.page.locator('#min-kind').textContent(), /image/);

      // The browser's embedding of the file matches the one the native
      // indexer stored: same preprocessing, same model.
      const c = cosine(excluded.embedding, excluded.selfEmbedding);
      assert.ok(c >= 0.999, `in-browser vs stored embedding cosine ${c}`);

      const included = await page.answer(() => page.testid('exclude-self').uncheck());
      const first = (await page.results())[0];
      assert.equal(first.id, id);
      assert.ok(first.cosine >= 0.99, `self-similarity ${first.cosine}`);
      assert.ok(included.encodeMs < 50, 'toggling exclusion reuses the embedding');

      const other = [...truth.keys()][1];
      const t1 = Date.now();
      await page.answer(() => page.testid('image-input').setInputFiles(path.join(WEB_DIR, 'index', other)));
      report({ image_query_ms: Date.now() - t1 });
      assert.equal((await page.results())[0].id, other, 'picked with the file input');
      await page.testid('exclude-self').check();
    });

    test('"Similar" searches with the stored vector of a result', async () => {
      await page.search(QUERY);
      const source = (await page.results())[0];
      const answer = await page.answer(() => page.testid('result').first().getByTestId('similar').click());
      assert.equal(answer.kind, 'similar');
      assert.equal(new URL(page.page.url()).searchParams.get('similar'), source.id);
      const hits = await page.results();
      assert.ok(hits.length > 0 && !hits.some((h) => h.id === source.id), 'the source itself is excluded');

      await page.answer(() => page.testid('exclude-self').uncheck());
      const first = (await page.results())[0];
      assert.equal(first.id, source.id);
      assert.ok(first.cosine >= 0.99);
      await page.answer(() => page.testid('exclude-self').check());
    });

    test('top-K and the minimum similarity change the results', async () => {
      await page.search(QUERY);
      await page.answer(() => page.testid('top-k').fill('5'));
      assert.equal((await page.results()).length, 5);
      assert.equal(new URL(page.page.url()).searchParams.get('k'), '5');

      await page.answer(() => page.testid('top-k').fill('40'));
      const scores = (await page.results()).map((h) => h.cosine);
      assert.equal(scores.length, 40);
      // A threshold in a clear gap between two neighbouring scores.
      let cut = -1;
      for (let i = 2; i < 30 && cut < 0; i++) if (scores[i] - scores[i + 1] > 0.003) cut = i;
      assert.ok(cut >= 0, `no gap in ${scores}`);
      const percent = (Math.round((scores[cut] + scores[cut + 1]) * 500) / 10).toFixed(1);
      await page.answer(() => page.testid('min-score').fill(percent));
      const kept = await page.results();
      assert.equal(kept.length, cut + 1, `min ${percent}% keeps ${kept.length} of ${scores}`);
      assert.ok(kept.every((h) => h.cosine * 100 >= Number(percent)));
      const min = Number(new URL(page.page.url()).searchParams.get('min'));
      assert.ok(Math.abs(min - Number(percent) / 100) < 1e-9, `URL min=${min} for ${percent}%`);

      // The text threshold does not apply to image queries.
      await page.answer(() => page.testid('result').first().getByTestId('similar').click());
      assert.notEqual(await page.testid('min-score').inputValue(), percent);
      await page.search(QUERY);
      assert.equal(await page.testid('min-score').inputValue(), percent);
      await page.answer(() => page.testid('min-score').fill(''));
      await page.answer(() => page.testid('top-k').fill('24'));
    });

    test('a reload works from the caches with the model unreachable, and offline', async () => {
      server.block('/models/');
      try {
        const t0 = Date.now();
        await page.goto(pageUrl());
        await page.testid('result').first().waitFor({ timeout: LOAD_TIMEOUT_MS });
        report({ cached_first_result_ms: Date.now() - t0 });
        const s = await page.ready();
        assert.match(s.text, /cached/i);
        assert.ok((await page.results()).length > 0);

        await browser.context.setOffline(true);
        await page.goto(pageUrl());
        await page.testid('result').first().waitFor({ timeout: LOAD_TIMEOUT_MS });
        await page.ready();
      } finally {
        await browser.context.setOffline(false);
        server.unblock();
      }
    });
  });
}
