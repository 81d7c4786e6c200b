// The page's Duplicates view over an index built here with the real CLI:
// photos with a re-encoded and a half-size copy, demo pictures with a byte
// copy, and distinct pictures. The worker computes the groups with the
// core's batched kernel (wasm SIMD128), reporting progress; they must be
// exactly what `clipsearch duplicates --json` finds natively (ids, keepers,
// scores to the float), shown side by side with scores, and the view must
// be usable from the keyboard alone.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer } from './static_server.mjs';
import { WEB_DIR, REPO, PYTHON, requireBuiltPage, cli, launchBrowser, PageDriver, LOAD_TIMEOUT_MS, clearSite } from './harness.mjs';

requireBuiltPage();
const demoIndex = JSON.parse(fs.readFileSync(path.join(WEB_DIR, 'index/manifest.json'), 'utf8'));
const modelDir = path.join(WEB_DIR, 'models', demoIndex.model_name || demoIndex.model?.name);
const captions = fs.readFileSync(path.join(WEB_DIR, 'index/captions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const GOLDEN_IMAGES = path.join(REPO, 'tests/data/image/golden/images');

let work;
let server;
let browser;
const INDEX = 'dups';

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clipsearch-web-dups-'));
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  // A photo, its JPEG re-encode and a half-size copy (Pillow).
  execFileSync(PYTHON, ['-c', [
    'import sys; from PIL import Image',
    'im = Image.open(sys.argv[1]).convert("RGB"); d = sys.argv[2]',
    'im.save(d + "/cat.png"); im.save(d + "/cat_q85.jpg", quality=85)',
    'im.resize((im.width // 2, im.height // 2), Image.BICUBIC).save(d + "/cat_half.png")',
  ].join('\n'), path.join(GOLDEN_IMAGES, 'sk_chelsea.png'), src]);
  fs.copyFileSync(path.join(GOLDEN_IMAGES, 'sk_coffee.png'), path.join(src, 'coffee.png'));
  for (let i = 0; i < 12; ++i) fs.copyFileSync(path.join(WEB_DIR, 'index', captions[i].path), path.join(src, `shape_${i}.png`));
  fs.copyFileSync(path.join(WEB_DIR, 'index', captions[0].path), path.join(src, 'shape_0_copy.png'));
  cli('index', '--model', modelDir, '--input', src, '--out', path.join(work, INDEX), '--shard-size', '7');
  server = await startServer({ root: WEB_DIR });
  server.mount('/fixtures/', work);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// The native tool's groups; without a threshold, its default.
const native = (threshold) => JSON.parse(cli('duplicates', '--index', path.join(work, INDEX), '--json',
  ...(threshold === undefined ? [] : ['--threshold', String(threshold)])));

async function openView(driver, threshold, extra = '') {
  const dup = threshold === undefined ? '' : `&dup=${threshold}`;
  await driver.goto(`${server.url}?backend=wasm&index=/fixtures/${INDEX}/&view=duplicates${dup}${extra}`);
  await driver.page.waitForFunction(() => window.__clipsearch.duplicates, null, { timeout: LOAD_TIMEOUT_MS, polling: 50 });
  return driver.page.evaluate(() => window.__clipsearch.duplicates);
}

async function shownGroups(driver) {
  return driver.page.$$eval('[data-testid="duplicate-group"]', (groups) => groups.map((g) => ({
    keeper: g.dataset.keeper,
    members: [...g.querySelectorAll('[data-testid="duplicate-member"]')].map((m) => ({
      id: m.dataset.id,
      score: Number(m.dataset.score),
      label: (m.querySelector('[data-testid="score"]') || m.querySelector('[data-testid="keeper"]')).textContent,
      hasThumb: !!m.querySelector('img')?.src,
    })),
  })));
}

test('the page finds the groups the CLI finds, with progress, side by side', async () => {
  const driver = await PageDriver.open(browser.context, `${server.url}icon.svg`);
  try {
    const answer = await openView(driver, 0.97);
    assert.ok(!answer.error, answer.error);
    assert.equal(answer.threshold.toFixed(6), (0.97).toFixed(6));
    assert.equal(answer.total, 17);
    // Progress: the scan went through its steps and reached every image.
    const steps = await driver.page.evaluate(() => window.__clipsearch.duplicatesProgress);
    assert.equal(steps.at(-1), 17);
    assert.ok(steps.length >= 2, `progress ${steps}`);

    const want = native(0.97);
    assert.deepEqual(answer.groups.map((g) => g.keeper), want.map((g) => g.keeper));
    answer.groups.forEach((g, i) => {
      assert.deepEqual(g.members.map((m) => m.id), want[i].members.map((m) => m.id));
      // The same core in wasm and natively: the same floats.
      g.members.forEach((m, j) => assert.equal(Math.fround(m.score), Math.fround(want[i].members[j].score), m.id));
    });
    const sets = want.map((g) => new Set(g.members.map((m) => m.id)));
    assert.ok(sets.some((s) => s.has('cat.png') && s.has('cat_q85.jpg') && s.has('cat_half.png')));
    assert.ok(sets.some((s) => s.size === 2 && s.has('shape_0.png') && s.has('shape_0_copy.png')));

    const shown = await shownGroups(driver);
    assert.deepEqual(shown.map((g) => g.keeper), want.map((g) => g.keeper));
    for (const g of shown) {
      assert.equal(g.members[0].id, g.keeper, 'the keeper comes first');
      assert.match(g.members[0].label, /keep/i);
      for (const m of g.members.slice(1)) assert.match(m.label, /^\d+\.\d%$/);
      assert.ok(g.members.every((m) => m.hasThumb));
    }
    const summary = await driver.testid('duplicates-summary').textContent();
    assert.match(summary, /2 groups of near-duplicates: 5 of 17 images/);
    assert.equal(await driver.testid('duplicates-threshold').inputValue(), '97');
  } finally {
    await driver.page.close();
  }
});

test('the default threshold is the core\'s, and changing it reruns the scan', async () => {
  const driver = await PageDriver.open(browser.context, `${server.url}icon.svg`);
  try {
    const answer = await openView(driver);
    assert.ok(!answer.error, answer.error);
    assert.equal(answer.threshold.toFixed(3), '0.985');  // core's default, BENCHMARKS.md "Near-duplicates"
    assert.deepEqual(answer.groups.map((g) => g.members.map((m) => m.id)), native().map((g) => g.members.map((m) => m.id)));

    await driver.page.evaluate(() => (window.__clipsearch.duplicates = null));
    await driver.testid('duplicates-threshold').fill('100');
    await driver.testid('duplicates-threshold').press('Enter');
    await driver.page.waitForFunction(() => window.__clipsearch.duplicates, null, { timeout: LOAD_TIMEOUT_MS });
    const strict = await driver.page.evaluate(() => window.__clipsearch.duplicates);
    assert.equal(strict.threshold, 1);
    // Scores are clamped to 1, so copies whose stored vectors agree to int8 rounding remain.
    const ids = (groups) => groups.map((g) => g.members.map((m) => m.id));
    assert.deepEqual(ids(strict.groups), ids(native(1)));
    assert.match(driver.page.url(), /dup=1\b/);

  } finally {
    await driver.page.close();
  }
});

// Loaded in tiers (heads by HTTP Range, ?tiers=on), the view first fetches
// each shard whole, checked against the manifest, then finds the same groups.
test('an index loaded in tiers gets its rows, then the same groups', async () => {
  await clearSite(browser.context, server.url);  // no shard kept from the whole loads above
  const driver = await PageDriver.open(browser.context, `${server.url}icon.svg`);
  try {
    server.log.length = 0;
    const answer = await openView(driver, 0.97, '&tiers=on');
    assert.ok(!answer.error, answer.error);
    const manifest = JSON.parse(fs.readFileSync(path.join(work, INDEX, 'manifest.json'), 'utf8'));
    for (const s of manifest.shards) {
      const asked = server.log.filter((r) => r.path === `/fixtures/${INDEX}/${s.file}`);
      assert.ok(asked.some((r) => r.range === `bytes=0-${s.head_bytes - 1}`), `${s.file}: its head by Range`);
      assert.ok(asked.some((r) => r.range === ''), `${s.file}: then the whole file`);
    }
    const want = native(0.97);
    assert.deepEqual(answer.groups.map((g) => g.members.map((m) => [m.id, Math.fround(m.score)])),
      want.map((g) => g.members.map((m) => [m.id, Math.fround(m.score)])));
    assert.ok((await shownGroups(driver)).every((g) => g.members.every((m) => m.hasThumb)));
  } finally {
    await driver.page.close();
  }
});

// Too large to hold whole on this device (a deviceMemory below even this
// 17-image index's few kilobytes), the view says what it needs instead; the
// tiered index stays searchable.
test('an index loaded in tiers that would not fit whole gets a message, and search goes on', async () => {
  await clearSite(browser.context, server.url);
  const driver = await PageDriver.open(browser.context, `${server.url}icon.svg`);
  try {
    await driver.page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => 1e-9 }));
    server.log.length = 0;
    const answer = await openView(driver, 0.97, '&tiers=on');
    assert.match(answer.error ?? 'no error', /Finding duplicates compares every image's int8 row with every other, so it needs the whole index in memory: .* more than this device allows .*clipsearch duplicates/);
    assert.match(await driver.testid('duplicates').textContent(), /needs the whole index in memory/);
    assert.ok(!server.log.some((r) => r.path.endsWith('.bin') && r.range === ''), 'no shard was fetched whole');
    await driver.goto(`${server.url}?backend=wasm&index=/fixtures/${INDEX}/&tiers=on`);
    await driver.ready();
    const found = await driver.search('a red circle');
    assert.ok(!found.error && found.hits.length > 0, found.error);
  } finally {
    await driver.page.close();
  }
});

test('the view is keyboard navigable: groups up and down, members left and right, Escape back', async () => {
  const driver = await PageDriver.open(browser.context, `${server.url}icon.svg`);
  try {
    await openView(driver, 0.97);
    const focused = () => driver.page.evaluate(() => {
      const a = document.activeElement;
      return { testid: a?.dataset.testid, id: a?.dataset.id, keeper: a?.dataset.keeper ?? a?.closest('[data-testid="duplicate-group"]')?.dataset.keeper };
    });
    await driver.page.locator('[data-testid="duplicate-group"]').first().focus();
    const first = await focused();
    assert.equal(first.testid, 'duplicate-group');
    await driver.page.keyboard.press('ArrowDown');
    const second = await focused();
    assert.equal(second.testid, 'duplicate-group');
    assert.notEqual(second.keeper, first.keeper);
    await driver.page.keyboard.press('ArrowRight');
    const member = await focused();
    assert.equal(member.testid, 'duplicate-member');
    assert.equal(member.id, second.keeper, 'the first member is the keeper');
    await driver.page.keyboard.press('ArrowRight');
    const next = await focused();
    assert.equal(next.testid, 'duplicate-member');
    assert.notEqual(next.id, member.id);
    await driver.page.keyboard.press('ArrowUp');
    assert.equal((await focused()).keeper, first.keeper);
    // One tab stop for the list: the group last visited.
    const stops = await driver.page.$$eval('[data-testid="duplicate-group"]', (gs) => gs.filter((g) => g.tabIndex === 0).length);
    assert.equal(stops, 1);
    await driver.page.keyboard.press('Escape');
    assert.equal(await driver.testid('duplicates').isHidden(), true);
    assert.equal((await focused()).testid, 'duplicates-button');
    assert.doesNotMatch(driver.page.url(), /view=duplicates/);
    // And back in from the search page with the button.
    await driver.page.keyboard.press('Enter');
    await driver.page.waitForFunction(() => window.__clipsearch.duplicates?.groups, null, { timeout: LOAD_TIMEOUT_MS });
    assert.equal(await driver.testid('duplicates').isVisible(), true);
  } finally {
    await driver.page.close();
  }
});
