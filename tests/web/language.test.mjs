// The page for a Chinese reader: in a browser whose language is Chinese the
// page speaks Chinese (and switches to English and back, remembered across a
// reload), and the query box waits for an input method to finish composing.
// Composition comes from Chromium's own IME path (CDP Input.imeSetComposition
// and Input.insertText), so the page sees the compositionstart/update/end
// and isComposing input events a pinyin IME produces.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './static_server.mjs';
import { WEB_DIR, BACKENDS, LOAD_TIMEOUT_MS, requireBuiltPage, launchBrowser, PageDriver } from './harness.mjs';

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
