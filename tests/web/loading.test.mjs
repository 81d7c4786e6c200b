// How the page loads, and what it says when loading goes wrong: download
// progress in bytes, shards that become searchable one by one, a truncated
// shard, a hostile shard whose manifest vouches for it, an index built with
// another model, a missing model (and one the site serves under another
// location, found by its fingerprint), no hardware WebGPU, too little device
// memory, running out of memory, a page opened over plain HTTP from another
// host, a browser without WebAssembly SIMD; an index whose captions and ids
// are hostile HTML must render as plain text and run nothing; and the page on
// a phone-sized screen, driven by keyboard. The bad indexes are built here
// with the real CLI. None of this depends on the backend, so these run on
// WebAssembly.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startServer } from './static_server.mjs';
import { formatBytes } from '../../web/js/format.js';
import {
  WEB_DIR, REPO, PYTHON, requireBuiltPage, cli, launchBrowser, PageDriver, cosine, nativeEmbedding,
  clearSite as clearSiteIn,
} from './harness.mjs';

requireBuiltPage();
const demoIndex = JSON.parse(fs.readFileSync(path.join(WEB_DIR, 'index/manifest.json'), 'utf8'));
const MODEL_NAME = demoIndex.model_name || demoIndex.model?.name;
const modelDir = path.join(WEB_DIR, 'models', MODEL_NAME);
const captions = fs.readFileSync(path.join(WEB_DIR, 'index/captions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

const GOLDEN_IMAGES = path.join(REPO, 'tests/data/image/golden/images');
const PHOTOS = ['sk_chelsea.png', 'sk_coffee.png', 'sk_rocket.jpg', 'sk_horse.png', 'exif_orientation6_400x300.jpg'];

const HOSTILE_CAPTION = '<img src=x onerror="window.__pwned=1">a red circle</p><script>window.__pwned=2</script>';
const HOSTILE_ID = '"><svg onload="window.__pwned=3">';

let work;
let server;
let browser;

// Three demo images under `dir`, listed in a captions.jsonl of `rows`.
function writeInput(dir, rows) {
  fs.mkdirSync(dir, { recursive: true });
  const lines = rows.map((row, i) => {
    const name = `img${i}.png`;
    fs.copyFileSync(path.join(WEB_DIR, 'index', captions[i].path), path.join(dir, name));
    return JSON.stringify({ path: name, ...row });
  });
  fs.writeFileSync(path.join(dir, 'captions.jsonl'), `${lines.join('\n')}\n`);
  return path.join(dir, 'captions.jsonl');
}

// The demo model with other normalisation constants: another model, so
// another fingerprint (computed by the project's own fingerprint script).
function otherModel(dir) {
  fs.cpSync(modelDir, dir, { recursive: true });
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  m.image.mean = [0.5, 0.5, 0.5];
  m.image.std = [0.5, 0.5, 0.5];
  m.name = 'other-model';
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(m, null, 2));
  m.fingerprint = execFileSync(PYTHON, [path.join(REPO, 'models/model_fingerprint.py'), path.join(dir, 'model.json')], { encoding: 'utf8' }).trim();
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(m, null, 2));
  return dir;
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clipsearch-web-fail-'));
  const hostileInput = writeInput(path.join(work, 'hostile-src'), [
    { caption: HOSTILE_CAPTION, id: HOSTILE_ID },
    { caption: 'a <b>bold</b> &amp; claim', id: 'second' },
    { caption: 'plain caption', id: 'third' },
  ]);
  cli('index', '--model', modelDir, '--input', hostileInput, '--out', path.join(work, 'hostile'));
  const otherInput = writeInput(path.join(work, 'other-src'), [{ caption: 'a' }, { caption: 'b' }, { caption: 'c' }]);
  cli('index', '--model', otherModel(path.join(work, 'other-model')), '--input', otherInput, '--out', path.join(work, 'other'));

  // Real photos (scikit-image's, and an EXIF-rotated JPEG), indexed from a
  // plain folder as a user would: captions are the file names.
  const photos = path.join(work, 'photos-src');
  fs.mkdirSync(photos);
  for (const f of PHOTOS) fs.copyFileSync(path.join(GOLDEN_IMAGES, f), path.join(photos, f));
  cli('index', '--model', modelDir, '--input', photos, '--out', path.join(work, 'photos'));
  // The same cat as lossless WebP: a format only the browser decodes.
  execFileSync(PYTHON, ['-c', 'import sys; from PIL import Image; Image.open(sys.argv[1]).convert("RGB").save(sys.argv[2], lossless=True)',
    path.join(photos, PHOTOS[0]), path.join(work, 'cat.webp')]);

  server = await startServer({ root: WEB_DIR });
  fs.cpSync(path.join(REPO, 'tests/data/index/demo-fingerprint-v1'), path.join(work, 'v1-index'), { recursive: true });
  server.mount('/fixtures/', work);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

// Each scenario in its own page with its caches cleared: nothing carries over.
function clearSite() {
  return clearSiteIn(browser.context, server.url);
}

async function openFresh(query, { backend = 'wasm' } = {}) {
  await clearSite();
  return PageDriver.open(browser.context, `${server.url}?${backend ? `backend=${backend}&` : ''}${query}`);
}

test('downloads show progress bars in bytes, which go away once loaded', async () => {
  // A slow link for the runtime and the model, so the bars can be seen
  // part-way.
  server.throttle(/\.onnx$|\/ort\/.*\.wasm$/, 8 << 20);
  try {
    await clearSite();
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
      window.__bars = [];
      addEventListener('DOMContentLoaded', () => new MutationObserver(() => {
        for (const item of document.querySelectorAll('[data-testid="progress"]')) {
          const meter = item.querySelector('progress');
          window.__bars.push({ label: meter.getAttribute('aria-label'), text: item.textContent, value: meter.value, max: meter.max });
        }
      }).observe(document.getElementById('progress'), { subtree: true, childList: true, characterData: true, attributes: true }));
    });
    const driver = new PageDriver(page);
    await driver.goto(`${server.url}?backend=wasm`);
    await driver.ready();
    await page.waitForFunction(() => !document.querySelector('[data-testid="progress"]'), null, { timeout: 5000 });

    const bars = await page.evaluate(() => window.__bars);
    const model = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
    const textModelBytes = fs.statSync(path.join(modelDir, model.text.variants.fp32.path)).size;
    const seen = new Set(bars.map((b) => b.label));
    for (const label of ['Model runtime', 'Text model', 'Index']) assert.ok(seen.has(label), `no "${label}" bar among ${[...seen]}`);
    assert.ok(!seen.has('Image model'), 'the image model waits for the first image query');

    const text = bars.filter((b) => b.label === 'Text model');
    assert.ok(text.every((b) => b.max === textModelBytes), `the bar's total is the file's ${textModelBytes} bytes`);
    const partway = text.filter((b) => b.value > 0 && b.value < b.max);
    assert.ok(partway.length > 0, `never seen part-way: ${JSON.stringify(text)}`);
    const total = formatBytes(textModelBytes).replace('.', '\\.');
    for (const b of partway) assert.match(b.text, new RegExp(`^Text model\\d+(\\.\\d)? (B|KB|MB) / ${total}$`));
    const values = text.map((b) => b.value);
    assert.deepEqual(values, [...values].sort((a, b) => a - b), 'progress never goes back');
    console.log(`PROGRESS text model: ${partway.map((b) => b.text.replace('Text model', '')).join(' | ')}`);
    await page.close();
  } finally {
    server.unthrottle();
  }
});

test('a truncated shard is reported as a damaged index', async () => {
  const shard = demoIndex.shards[0].file;
  server.damage(`/index/${shard}`, 'truncate');
  try {
    const page = await openFresh('q=circle');
    const s = await page.settled();
    console.log(`STATUS truncated shard: ${s.text}`);
    assert.equal(s.state, 'error', s.text);
    assert.match(s.text, /damaged/i);
    assert.ok(s.text.includes(shard), `names the shard: ${s.text}`);
    await page.page.close();
  } finally {
    server.damage(`/index/${shard}`, null);
  }
});

test('a hostile shard that matches its manifest is refused by the core, the rest stay searchable', async () => {
  // Whoever hosts an index writes its manifest too, so a hash that matches
  // proves nothing: here the first shard keeps its header and is noise
  // after it, with the manifest's SHA-256 updated to match.
  const dir = path.join(work, 'hostile-shard');
  fs.mkdirSync(dir);
  const manifest = structuredClone(demoIndex);
  for (const shard of manifest.shards) fs.copyFileSync(path.join(WEB_DIR, 'index', shard.file), path.join(dir, shard.file));
  const victim = manifest.shards[0];
  const bytes = fs.readFileSync(path.join(dir, victim.file));
  let x = 12345;
  for (let i = 64; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  fs.writeFileSync(path.join(dir, victim.file), bytes);
  victim.sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  manifest.model.location = `../../models/${MODEL_NAME}`;
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));

  const page = await openFresh(`index=fixtures/hostile-shard/&q=${encodeURIComponent('a red circle')}`);
  await page.page.waitForFunction(() => /Index damaged/.test(document.querySelector('[data-testid="status"]').textContent));
  const text = await page.testid('status').textContent();
  console.log(`STATUS hostile shard: ${text}`);
  assert.ok(text.startsWith(`Index damaged: ${victim.file}`), text);
  const left = demoIndex.count - victim.count;
  assert.ok(text.includes(`${left.toLocaleString('en-US')} of ${demoIndex.count.toLocaleString('en-US')} images are searchable`), text);
  await page.testid('result').first().waitFor();
  assert.equal(await page.page.evaluate(() => window.__clipsearch.last.hits.length), 24, 'the other shards answer the query');
  await page.page.close();
});

// A copy of the demo index under fixtures/NAME/ whose manifest `edit` changes
// (and whose shard files `files` may replace); returns its page query prefix.
function editedIndex(name, edit, files = {}) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  const manifest = structuredClone(demoIndex);
  for (const shard of manifest.shards) fs.copyFileSync(path.join(WEB_DIR, 'index', shard.file), path.join(dir, shard.file));
  for (const [file, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), bytes);
  manifest.model.location = `../../models/${MODEL_NAME}`;
  edit(manifest);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return `index=fixtures/${name}/`;
}

test('a shard whose row count or dim disagrees with the manifest is refused though its hash matches; the rest stay searchable', async () => {
  // Row count: the manifest claims one more image in one shard (and in total).
  const victim = demoIndex.shards[1];
  const counted = editedIndex('wrong-count', (m) => {
    m.shards[1].count += 1;
    m.count += 1;
  });
  let page = await openFresh(`${counted}&q=${encodeURIComponent('a red circle')}`);
  await page.page.waitForFunction(() => /Index damaged/.test(document.querySelector('[data-testid="status"]').textContent));
  let text = await page.testid('status').textContent();
  console.log(`STATUS wrong count: ${text}`);
  assert.equal(text, `Index damaged: ${victim.file} holds ${victim.count} images, but manifest.json says ${victim.count + 1}. ` +
    `${(demoIndex.count - victim.count).toLocaleString('en-US')} of ${(demoIndex.count + 1).toLocaleString('en-US')} images are searchable.`);
  await page.testid('result').first().waitFor();
  assert.ok((await page.page.evaluate(() => window.__clipsearch.last.hits)).every((h) => h.shard !== undefined));
  await page.page.close();
  // The same in tiers (heads by HTTP Range): the head is refused alike.
  page = await openFresh(`${counted}&tiers=on&q=${encodeURIComponent('a red circle')}`);
  // The same damage report, and (once calibration has given up) why a
  // tiered index has no match verdict.
  await page.page.waitForFunction(() => /Index damaged.*No match verdicts/.test(document.querySelector('[data-testid="status"]').textContent));
  const tiered = await page.testid('status').textContent();
  assert.ok(tiered.startsWith(text), tiered);
  assert.match(tiered.slice(text.length), /No match verdicts: .*tiers/, tiered);
  await page.testid('result').first().waitFor();
  assert.match(await page.page.locator('#index-info').textContent(), /rows fetched as needed/);
  await page.page.close();

  // Dim: one shard holds vectors of another dim (written by the core's own
  // writer, same model fingerprint), listed with its true size and hash.
  const { default: createCore } = await import(new URL(`file://${path.join(WEB_DIR, 'core/clipsearch_core.mjs')}`).href);
  const core = await createCore();
  const dim = demoIndex.dim * 2;
  const records = Array.from({ length: victim.count }, (_, i) => ({ id: `wide-${i}`, caption: 'wide', source: '', thumb: '', width: 1, height: 1 }));
  const wide = core.encodeShard({ fingerprint: demoIndex.model.fingerprint, dim, binary: true, records,
    embeddings: Float32Array.from({ length: victim.count * dim }, (_, i) => Math.sin(i + 1)) });
  const widened = editedIndex('wrong-dim', (m) => {
    m.shards[1].bytes = wide.length;
    m.shards[1].sha256 = crypto.createHash('sha256').update(wide).digest('hex');
    m.shards[1].head_bytes = Number(Buffer.from(wide.buffer, wide.byteOffset + 56, 8).readBigUInt64LE());
    m.shards[1].head_sha256 = crypto.createHash('sha256').update(wide.subarray(0, m.shards[1].head_bytes)).digest('hex');
  }, { [victim.file]: wide });
  page = await openFresh(`${widened}&q=${encodeURIComponent('a red circle')}`);
  await page.page.waitForFunction(() => /Index damaged/.test(document.querySelector('[data-testid="status"]').textContent));
  text = await page.testid('status').textContent();
  console.log(`STATUS wrong dim: ${text}`);
  assert.equal(text, `Index damaged: ${victim.file} holds ${dim}-d vectors, but manifest.json says ${demoIndex.dim}-d. ` +
    `${(demoIndex.count - victim.count).toLocaleString('en-US')} of ${demoIndex.count.toLocaleString('en-US')} images are searchable.`);
  await page.testid('result').first().waitFor();
  await page.page.close();
});

test('an index built with another model is refused', async () => {
  const page = await openFresh(`index=fixtures/other/&model=models/${MODEL_NAME}/`);
  const s = await page.settled();
  console.log(`STATUS wrong model: ${s.text}`);
  assert.equal(s.state, 'error', s.text);
  assert.match(s.text, /another model/i);
  assert.match(s.text, /fingerprint/i);
  await page.page.close();
});

// tests/data/index/demo-fingerprint-v1 was built with the demo model before
// fingerprint format 2: the model accepts its format-1 fingerprint
// (accepted_fingerprints), so the page searches it.
test('an index from before fingerprint format 2 is searched with today\'s model', async () => {
  const page = await openFresh(`index=fixtures/v1-index/&model=models/${MODEL_NAME}/&q=${encodeURIComponent('brown triangle')}`);
  const s = await page.settled();
  assert.equal(s.state, 'ready', s.text);
  await page.testid('result').first().waitFor();
  assert.equal(await page.testid('caption').first().textContent(), 'brown triangle');
  await page.page.close();
});

test('a missing model is reported', async () => {
  const page = await openFresh('model=models/not-there/');
  const s = await page.settled();
  console.log(`STATUS missing model: ${s.text}`);
  assert.equal(s.state, 'error', s.text);
  assert.match(s.text, /model missing/i);
  assert.match(s.text, /not-there/);
  await page.page.close();
});

// A copy of the index in `from` (the demo index when omitted) whose manifest
// names a model location that is not there.
function indexWithModelMovedAway(name, from = path.join(WEB_DIR, 'index')) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  const manifest = JSON.parse(fs.readFileSync(path.join(from, 'manifest.json'), 'utf8'));
  for (const shard of manifest.shards) fs.copyFileSync(path.join(from, shard.file), path.join(dir, shard.file));
  manifest.model.location = '../../moved-away/model/';
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
}

test('an index whose model cannot be reached uses the model this site serves with the same fingerprint, and says so', async () => {
  indexWithModelMovedAway('model-moved');
  const page = await openFresh(`index=fixtures/model-moved/&q=${encodeURIComponent('a red circle')}`);
  const s = await page.ready();
  console.log(`STATUS served model: ${s.text}`);
  assert.match(s.text, new RegExp(`model “${MODEL_NAME}” could not be loaded from \\S*/moved-away/model/; ` +
    `using this site's own copy with the same fingerprint, \\S*/models/${MODEL_NAME}/`), s.text);
  await page.testid('result').first().waitFor();
  assert.equal(await page.page.evaluate(() => window.__clipsearch.last.hits.length), 24);
  await page.page.close();

  // No model this site serves has another model's fingerprint: still missing.
  indexWithModelMovedAway('other-moved', path.join(work, 'other'));
  const other = await openFresh('index=fixtures/other-moved/');
  const e = await other.settled();
  assert.equal(e.state, 'error', e.text);
  assert.match(e.text, /^Model missing: model\.json was not found at \S*\/moved-away\/model\/model\.json/, e.text);
  await other.page.close();
});

test('captions and ids are rendered as text, never as HTML', async () => {
  const page = await openFresh(`index=fixtures/hostile/&model=models/${MODEL_NAME}/&q=${encodeURIComponent('a red circle')}`);
  await page.ready();
  await page.testid('result').first().waitFor();
  const hits = await page.results();
  assert.equal(hits.length, 3);
  const hostile = hits.find((h) => h.id === HOSTILE_ID);
  assert.ok(hostile, `hostile id kept verbatim: ${hits.map((h) => h.id)}`);
  assert.equal(hostile.caption, HOSTILE_CAPTION);
  assert.equal(hostile.alt, HOSTILE_CAPTION);
  assert.equal(hits.find((h) => h.id === 'second').caption, 'a <b>bold</b> &amp; claim');
  const injected = await page.page.evaluate(() => ({
    pwned: window.__pwned,
    elements: document.querySelectorAll('#result-list script, #result-list svg, #result-list b, #result-list img[src="x"]').length,
  }));
  assert.deepEqual(injected, { pwned: undefined, elements: 0 });
  await page.page.close();
});

test('an index of real photos loads as built; pasted WebP and dropped JPEG photos search it', async () => {
  const page = await openFresh(`index=fixtures/photos/&model=models/${MODEL_NAME}/`);
  const s = await page.ready();
  assert.match(s.text, new RegExp(`searching ${PHOTOS.length} images`), s.text);

  // Pasted from the clipboard, as WebP: decoded by the browser, then the
  // core's RGBA path. Not the indexed file's bytes, so nothing is excluded,
  // but its embedding is the one `clipsearch embed` makes of the PNG.
  const webp = fs.readFileSync(path.join(work, 'cat.webp')).toString('base64');
  const pasted = await page.answer(() => page.page.evaluate((b64) => {
    const t = new DataTransfer();
    t.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'cat.webp', { type: 'image/webp' }));
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: t, bubbles: true }));
  }, webp));
  assert.equal(pasted.kind, 'image', JSON.stringify(pasted.error || ''));
  assert.equal(pasted.selfId, '');
  const c = cosine(pasted.embedding, nativeEmbedding(modelDir, '--image', path.join(GOLDEN_IMAGES, PHOTOS[0])));
  assert.ok(c >= 0.999, `pasted WebP vs native PNG embedding cosine ${c}`);
  const hits = await page.results();
  assert.equal(hits.length, PHOTOS.length);
  assert.ok(hits.some((h) => h.id === PHOTOS[0] && h.caption === 'sk chelsea'), hits.map((h) => `${h.id}: ${h.caption}`).join(', '));

  // Dropped, an indexed JPEG with EXIF orientation 6 is recognised and left
  // out; the browser turned it upright exactly as the indexer did.
  const dropped = await page.dropFile(path.join(GOLDEN_IMAGES, PHOTOS[4]), 'image/jpeg');
  assert.equal(dropped.selfId, PHOTOS[4]);
  assert.ok(!(await page.results()).some((h) => h.id === PHOTOS[4]));
  const stored = cosine(dropped.embedding, dropped.selfEmbedding);
  assert.ok(stored >= 0.999, `dropped JPEG vs stored embedding cosine ${stored}`);

  // A PNM: the core says it does not decode it (imageFormat), so the browser
  // is asked, cannot either, and the message says which file type failed.
  const ppm = path.join(work, 'gray.ppm');
  fs.writeFileSync(ppm, Buffer.concat([Buffer.from('P6\n2 2\n255\n'), Buffer.alloc(12, 128)]));
  const refused = await page.dropFile(ppm, 'image/x-portable-pixmap');
  assert.match(refused.error || '', /^Could not read this image \(image\/x-portable-pixmap\): it is not a format this browser can decode/);

  // Thumbnails come from the index folder.
  await page.page.waitForFunction(() => [...document.querySelectorAll('[data-testid="result"] img')].every((i) => i.complete && i.naturalWidth > 0));
  await page.page.close();
});

test('without a hardware WebGPU adapter the page falls back to WebAssembly and says so', async () => {
  const page = await openFresh('q=circle', { backend: null });  // the page decides
  const s = await page.ready();
  const adapter = await page.page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a ? { arch: a.info?.architecture || '', fallback: !!(a.isFallbackAdapter || a.info?.isFallbackAdapter) } : null;
  });
  const software = !adapter || adapter.fallback || /swiftshader/i.test(adapter.arch);
  const label = await page.testid('backend').textContent();
  if (software) {
    assert.match(label, /^wasm/);
    assert.match(s.text, /using WebAssembly instead/);
  } else {
    assert.match(label, /^webgpu/);
  }
  console.log(`STATUS no hardware WebGPU: ${s.text} [${label}]`);
  await page.page.close();
});

test('an index too large for the device memory is refused with the size it needs', async () => {
  // Browsers report deviceMemory in steps down to 0.25 GB; a tiny value makes
  // the demo index "too large" without shipping a huge one.
  const page = await browser.context.newPage();
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => 0.0001 }));
  const driver = new PageDriver(page);
  await driver.goto(`${server.url}?backend=wasm`);
  const s = await driver.settled();
  console.log(`STATUS too large: ${s.text}`);
  assert.equal(s.state, 'error', s.text);
  assert.match(s.text, /needs \d[\d.]* [KMG]?B of memory/);
  assert.match(s.text, /0\.0001 GB/);
  await page.close();
});

test('shards are searchable as they arrive', async (t) => {
  if (demoIndex.shards.length < 2) return t.skip('the demo index has a single shard');
  server.delay(/shard-0*[1-9]\d*\.bin$/, 6000);  // every shard after the first arrives late
  try {
    const page = await openFresh('q=circle');
    await page.ready();
    await page.testid('result').first().waitFor();
    const [early, shards, partial, notice] = await page.page.evaluate(() => [
      document.querySelector('[data-testid="status"]').textContent,
      window.__clipsearch.last.hits.map((h) => h.shard),
      window.__clipsearch.last.partial,
      document.querySelector('[data-testid="partial"]').textContent,
    ]);
    const m = early.match(/searching ([\d,]+) of ([\d,]+) images so far \((\d+) of (\d+) shards\)/);
    assert.ok(m && Number(m[4]) === demoIndex.shards.length && Number(m[3]) < Number(m[4]), `ready before every shard arrived: ${early}`);
    assert.ok(shards.length > 0 && shards.every((s) => s < Number(m[3])), `early hits come from the shards in: ${shards}`);
    // The answer says it is partial, and how much of the index it covers.
    assert.ok(partial && partial.searched < partial.total && partial.total === demoIndex.count, JSON.stringify(partial));
    assert.match(notice, new RegExp(`^Partial results: ${partial.searched.toLocaleString('en-US')} of ${demoIndex.count.toLocaleString('en-US')} images searched so far`));

    // Each arriving shard re-runs the query; the last leaves the whole index.
    // The status names the last shard as it is added, just before that
    // re-run's answer arrives, so wait for both.
    await page.page.waitForFunction((n) => document.querySelector('[data-testid="status"]').textContent.startsWith(`Ready: searching ${n} images.`) &&
      window.__clipsearch.last.partial === null, demoIndex.count.toLocaleString('en-US'), { timeout: 120_000 });
    const last = await page.page.evaluate(() => window.__clipsearch.last);
    assert.equal(last.seq, await page.page.evaluate(() => window.__clipsearch.seq), 'same query, updated');
    assert.ok(last.hits.some((h) => h.shard > 0), 'later shards contribute hits');
    assert.equal(last.partial, null, 'complete once every shard is in');
    assert.equal(await page.testid('partial').isHidden(), true);
    await page.page.close();
  } finally {
    server.undelay();
  }
});

// Opens `url` in a browser of its own, started with Chromium `args` that make
// it lack something; returns the page once it has settled, with its status.
async function openInBrowserWith(args, url, { what }) {
  const other = await launchBrowser({ args });
  const page = await PageDriver.open(other.context, url);
  const status = await page.settled();
  console.log(`STATUS ${what}: ${status.text}`);
  return { page, status, close: () => other.close() };
}

test('opened over plain HTTP from another host: no WebGPU, no caches, said so, and search still works', async () => {
  // A LAN-style name for this machine: not localhost, so not a secure
  // context. The page picks the backend.
  const { page, status, close } = await openInBrowserWith(['--host-resolver-rules=MAP photos.lan 127.0.0.1'],
    `http://photos.lan:${new URL(server.url).port}/?q=${encodeURIComponent('a red circle')}`, { what: 'not secure' });
  try {
    assert.equal(status.state, 'ready', status.text);
    await page.testid('result').first().waitFor();
    const seen = await page.page.evaluate(() => ({
      secure: isSecureContext, gpu: 'gpu' in navigator, caches: typeof caches, serviceWorker: 'serviceWorker' in navigator,
    }));
    assert.deepEqual(seen, { secure: false, gpu: false, caches: 'undefined', serviceWorker: false }, 'this browser really treats the page as insecure');
    assert.match(status.text, /not a secure context/);
    assert.match(status.text, /WebGPU needs a secure context.*using WebAssembly instead/);
    assert.match(await page.testid('backend').textContent(), /^wasm · threads off/);
    assert.ok((await page.results()).length > 0);
  } finally {
    await close();
  }
});

test('a browser without WebAssembly SIMD is told so', async () => {
  // V8 told the CPU lacks SSE4.1 turns WebAssembly SIMD off, as on an old
  // machine or browser.
  const { page, status, close } = await openInBrowserWith(['--js-flags=--no-enable-sse4-1'],
    `${server.url}?backend=wasm&q=circle`, { what: 'no SIMD' });
  try {
    // (module (func (result v128) i32.const 0 i8x16.splat))
    const simd = await page.page.evaluate(() => WebAssembly.validate(new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11])));
    assert.equal(simd, false, 'this browser really lacks WebAssembly SIMD');
    assert.equal(status.state, 'error', status.text);
    assert.match(status.text, /does not support WebAssembly SIMD/);
    assert.match(status.text, /Update to a current/);
  } finally {
    await close();
  }
});

test('running out of memory is reported as such', async () => {
  // V8 capped at 25 MB of WebAssembly memory (400 pages of 64 KB): the
  // search engine starts, but the model runtime cannot grow enough to load
  // the text encoder (the demo page needs about 44 MB).
  const { status, close } = await openInBrowserWith(['--js-flags=--wasm-max-mem-pages=400'],
    `${server.url}?backend=wasm&q=circle`, { what: 'out of memory' });
  await close();
  assert.equal(status.state, 'error', status.text);
  assert.match(status.text, /^Out of memory while starting the text encoder\. Close other tabs/);
});

test('on a phone-sized screen, by keyboard: two columns, no sideways scrolling, every control named', async () => {
  await clearSite();
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  const driver = new PageDriver(page);
  await driver.goto(`${server.url}?backend=wasm&q=${encodeURIComponent('a blue square')}`);
  await driver.ready();
  await driver.testid('result').first().waitFor();

  const layout = await page.evaluate(() => {
    const tops = [...document.querySelectorAll('[data-testid="result"]')].slice(0, 3).map((c) => Math.round(c.getBoundingClientRect().top));
    return { overflow: document.documentElement.scrollWidth - innerWidth, tops };
  });
  assert.ok(layout.overflow <= 0, `the page scrolls sideways by ${layout.overflow} px`);
  assert.equal(layout.tops[0], layout.tops[1], 'two cards side by side');
  assert.ok(layout.tops[2] > layout.tops[1], 'the third card starts the next row');

  // Every control has a name a screen reader can read out.
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('input, button, a[href]')]
    .filter((el) => !el.hidden && el.offsetParent !== null || el.type === 'file')
    .filter((el) => !(el.labels?.[0]?.textContent.trim() || el.getAttribute('aria-label') || el.textContent.trim() ||
      el.querySelector('img[alt]')?.alt.trim()))
    .map((el) => el.outerHTML.slice(0, 80)));
  assert.deepEqual(unnamed, []);

  // "/" jumps to the search box; Tab reaches the results' "Similar" buttons,
  // and Enter on one runs it.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'query');
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.dataset.testid === 'similar');
  }
  assert.ok(reached, 'no "Similar" button within 40 Tab presses');
  const answer = await driver.answer(() => page.keyboard.press('Enter'));
  assert.equal(answer.kind, 'similar');
  await page.close();
});
