// The page for a Chinese reader: in a browser whose language is Chinese the
// page speaks Chinese (and switches to English and back, remembered across a
// reload), the query box waits for an input method to finish composing, and
// Chinese queries are answered on both backends by the model's Chinese text
// tower over the same index.
// Composition comes from Chromium's own IME path (CDP Input.imeSetComposition
// and Input.insertText), so the page sees the compositionstart/update/end
// and isComposing input events a pinyin IME produces.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './static_server.mjs';
import {
  WEB_DIR, BACKENDS, LOAD_TIMEOUT_MS, requireBuiltPage, launchBrowser, PageDriver, cosine, demoTruth, nativeEmbedding,
} from './harness.mjs';

requireBuiltPage();
const backend = BACKENDS[0];

describe('a Chinese reader', () => {
  let server;
  let browser;
  let page;
  const text = (sel) => page.page.locator(sel).first().textContent();

  before(async () => {
    server = await startServer({ root: WEB_DIR });
    browser = await launchBrowser({ locale: 'zh-CN' });
    page = await PageDriver.open(browser.context, `${server.url}?backend=${backend}`);
    await page.ready();
  });
  after(async () => {
    await browser.close();
    await server.close();
  });

  test('sees the page in Chinese, and can switch it to English and back', async () => {
    assert.equal(await page.page.evaluate(() => navigator.language), 'zh-CN');
    assert.equal(await page.page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.match(await text('.tagline'), /按含义搜索图片/);
    assert.match(await page.testid('query').getAttribute('placeholder'), /左边的红色圆形/);
    assert.equal(await page.testid('ui-language').inputValue(), 'zh');

    await page.testid('ui-language').selectOption('en');
    assert.match(await text('.tagline'), /Search images by meaning/);
    assert.match(await page.testid('query').getAttribute('placeholder'), /a small red circle on the left/);
    await page.page.reload();
    await page.ready();
    assert.equal(await page.testid('ui-language').inputValue(), 'en', 'the choice outlives a reload');
    await page.testid('ui-language').selectOption('zh');
    assert.match(await text('.tagline'), /按含义搜索图片/);
  });

  test('no search runs while the IME composes; the committed text is searched', async () => {
    const cdp = await browser.context.newCDPSession(page.page);
    await page.testid('query').click();
    const sent = () => page.page.evaluate(() => window.__clipsearch.queriesSent);
    const before = await sent();
    // Pinyin for 红色 as it is typed, each longer than the page's debounce.
    for (const pinyin of ['h', 'hong', 'hong s', 'hong se']) {
      await cdp.send('Input.imeSetComposition', { text: pinyin, selectionStart: pinyin.length, selectionEnd: pinyin.length });
      await page.page.waitForTimeout(400);
    }
    assert.equal(await page.testid('query').inputValue(), 'hong se', 'the composition is in the box');
    assert.equal(await sent(), before, 'a query ran mid-composition');
    // Enter while composing picks the candidate; it must not submit.
    await page.page.keyboard.press('Enter');
    await page.page.waitForTimeout(400);
    assert.equal(await sent(), before, 'Enter during composition submitted');

    const answer = await page.answer(() => cdp.send('Input.insertText', { text: '红色' }), LOAD_TIMEOUT_MS);
    assert.equal(await page.testid('query').inputValue(), '红色');
    assert.equal(await sent(), before + 1, 'exactly one query, for the committed text');
    assert.ok(Array.isArray(answer.hits), JSON.stringify(answer));
    assert.equal(new URL(page.page.url()).searchParams.get('q'), '红色');
  });
});

// Chinese queries through the model's Chinese text tower, on each backend,
// searching the same index as English ones.
const truth = demoTruth();
const INDEX = path.join(WEB_DIR, 'index');
const MODEL = path.join(WEB_DIR, 'models', JSON.parse(fs.readFileSync(path.join(INDEX, 'manifest.json'), 'utf8')).model.name);
const holds = (id, color, shape) => truth.get(id)?.objects.some((o) => o.color === color && o.shape === shape);

for (const b of BACKENDS) {
  describe(`Chinese queries, backend=${b}`, () => {
    let server;
    let browser;
    let page;
    before(async () => {
      server = await startServer({ root: WEB_DIR, isolate: b === 'wasm' });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser.close();
      await server.close();
    });

    test('红色的圆形 is read by the zh tower and finds red circles', async () => {
      page = await PageDriver.open(browser.context, `${server.url}?backend=${b}&q=${encodeURIComponent('红色的圆形')}`);
      await page.testid('result').first().waitFor({ timeout: LOAD_TIMEOUT_MS * 2 });
      const answer = await page.page.evaluate(() => window.__clipsearch.last);
      assert.equal(answer.lang, 'zh', 'auto sends Chinese to the zh tower');
      const c = cosine(answer.embedding, nativeEmbedding(MODEL, '--text', '红色的圆形', '--lang', 'zh'));
      assert.ok(c >= 0.999, `in-browser vs native zh text embedding cosine ${c}`);
      const top = (await page.results()).slice(0, 8);
      const good = top.filter((h) => holds(h.id, 'red', 'circle')).length;
      assert.ok(good >= 6, `only ${good} of 8 hold a red circle: ${top.map((h) => h.caption).join(' | ')}`);
      // The switch appears for a two-language model and can force English.
      assert.equal(await page.testid('query-lang').isVisible(), true);
      const english = await page.answer(() => page.testid('query-lang').selectOption('en'));
      assert.equal(english.lang, 'en');
      assert.equal(new URL(page.page.url()).searchParams.get('lang'), 'en');
      const back = await page.answer(() => page.testid('query-lang').selectOption('auto'));
      assert.equal(back.lang, 'zh');
    });
  });
}
