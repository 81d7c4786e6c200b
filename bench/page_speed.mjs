// The page in headless Chromium (Playwright), per model and backend: time to
// the first result with empty caches (cold) and after a reload (cached), text
// and image query latency with the page's own split into encoder and search
// time. Drives the page the way tests/web does, with its helpers.
//
//   node bench/page_speed.mjs [--web build/web] [--cli build/tools/clipsearch]
//        [--runs demo:wasm,demo:webgpu,vitb32:wasm]
//        [--vitb32-index DIR]
//
// A run is MODEL:BACKEND. `demo` is the page's bundled model and index;
// `vitb32` is models/vitb32-random (random weights, ViT-B/32's exact shape)
// with an index built by it (bench/index_speed.py leaves one). WebGPU is
// SwiftShader here (no GPU): its times say nothing about a real GPU.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
process.env.CLIPSEARCH_WEB_DIR = path.resolve(arg('web', process.env.CLIPSEARCH_WEB_DIR || path.join(REPO, 'build/web')));
// The tests' harness asks where CMake put the CLI; this script does not run it.
process.env.CLIPSEARCH_CLI = path.resolve(arg('cli', process.env.CLIPSEARCH_CLI || path.join(REPO, 'build/tools/clipsearch')));
const runs = arg('runs', 'demo:wasm,demo:webgpu,vitb32:wasm').split(',').map((r) => r.split(':'));
const vitIndex = path.resolve(arg('vitb32-index', path.join(REPO, 'build/bench-data/index-vitb32-cpu-48')));
const vitModel = path.join(REPO, 'models/vitb32-random');

const { startServer } = await import('../tests/web/static_server.mjs');
const { WEB_DIR, launchBrowser, PageDriver, demoTruth } = await import('../tests/web/harness.mjs');
if (!fs.existsSync(path.join(WEB_DIR, 'index.html'))) {
  console.error(`${WEB_DIR}/index.html not found: build the \`web\` target first`);
  process.exit(2);
}
const hasDemo = fs.existsSync(path.join(WEB_DIR, 'index/manifest.json'));
// Images to drop: the demo index's own, else those the vitb32 index was made from.
const demoDataImages = path.join(path.dirname(vitIndex), 'demo-data-48/images');
const IMAGES = hasDemo
  ? [...demoTruth().keys()].slice(0, 3).map((id) => path.join(WEB_DIR, 'index', id))
  : fs.existsSync(demoDataImages) ? fs.readdirSync(demoDataImages).sort().slice(0, 3).map((f) => path.join(demoDataImages, f)) : [];

const TIMEOUT_MS = 900_000;  // ViT-B/32 in software is slow
const TEXTS = ['a red circle', 'a small blue square', 'a large green star', 'two yellow triangles', 'a white cross'];

// The last query's { ms, encodeMs, searchMs } as the page measured it.
const lastLatency = (page) => page.page.evaluate(() => window.__clipsearch.latenciesMs.at(-1));

async function measure(model, backend, server) {
  const params = model === 'vitb32' ? `&model=models/vitb32-random/&index=bench-index/` : '';
  const url = `${server.url}?backend=${backend}${params}&q=${encodeURIComponent(TEXTS[0])}`;
  const browser = await launchBrowser();
  try {
    const page = await PageDriver.open(browser.context, url);
    await page.testid('result').first().waitFor({ timeout: TIMEOUT_MS });
    const cold = Date.now() - page.navigatedAt;
    await page.ready(TIMEOUT_MS);
    const label = await page.testid('backend').textContent();

    const text = [];
    for (const q of TEXTS.slice(1)) {
      await page.answer(() => page.testid('query').fill(q), TIMEOUT_MS);
      text.push(await lastLatency(page));
    }
    // The first image query, then more while they take under a minute in all.
    const image = [];
    const imageStart = Date.now();
    for (const file of IMAGES) {
      if (image.length >= 2 && Date.now() - imageStart > 60_000) break;
      await page.dropFile(file);
      image.push(await lastLatency(page));
    }
    const t0 = Date.now();
    await page.goto(url);
    await page.testid('result').first().waitFor({ timeout: TIMEOUT_MS });
    const cached = Date.now() - t0;
    return { cold, cached, label: label.trim(), text, image };
  } finally {
    await browser.close();
  }
}

const server = await startServer({ root: WEB_DIR });
server.mount('/models/vitb32-random/', vitModel);
server.mount('/bench-index/', vitIndex);
const fmt = (x) => (x === undefined ? '-' : Math.round(x));
const split = (l) => `${fmt(l.ms)} (${fmt(l.encodeMs)} + ${fmt(l.searchMs)})`;
console.log('## The page in headless Chromium\n');
console.log('Wall-clock ms on this machine, median of the queries after the first. Query cells: total (encoder + ' +
            'search) as the page records them. The first image query loads the vision model. WebGPU here is ' +
            'SwiftShader, a CPU emulation.\n');
console.log('| model | backend | cold: first result | cached: first result | text query | first image query | image query |');
console.log('|---|---|---:|---:|---:|---:|---:|');
try {
  for (const [model, backend] of runs) {
    if (model === 'vitb32' && !fs.existsSync(path.join(vitIndex, 'manifest.json'))) {
      console.log(`| ${model} | ${backend} | not run: no index at ${vitIndex} (run bench/index_speed.py) | | | | |`);
      continue;
    }
    if (model === 'demo' && !hasDemo) {
      console.log(`| ${model} | ${backend} | not run: the page was built without the demo model and index | | | | |`);
      continue;
    }
    try {
      const r = await measure(model, backend, server);
      const textMid = r.text.sort((a, b) => a.ms - b.ms)[r.text.length >> 1];
      const rest = r.image.slice(1).sort((a, b) => a.ms - b.ms);
      console.log(`| ${model} | ${r.label} | ${fmt(r.cold)} | ${fmt(r.cached)} | ${split(textMid)} | ` +
                  `${split(r.image[0])} | ${rest.length ? split(rest[rest.length >> 1]) : '-'} |`);
    } catch (err) {
      console.log(`| ${model} | ${backend} | failed: ${String(err.message).split('\n')[0].slice(0, 160)} | | | | |`);
    }
  }
} finally {
  await server.close();
}
