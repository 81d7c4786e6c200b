// The online acceptance test's page half (tools/test-online.sh runs it after
// fetching every catalog model for real): each model, on WebAssembly and
// WebGPU, must embed the reference photos and their descriptions as the CLI
// does. Without CLIPSEARCH_ONLINE_MODELS_DIR there is nothing to run.

import { test, before, after } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './static_server.mjs';
import { WEB_DIR, REPO, BACKENDS, requireBuiltPage, launchBrowser } from './harness.mjs';
import { buildIndex, checkPageMatchesCli } from './model_parity.mjs';

const MODELS_DIR = process.env.CLIPSEARCH_ONLINE_MODELS_DIR;
const NAMES = (process.env.CLIPSEARCH_ONLINE_MODELS || '').split(',').filter(Boolean);
const skip = !MODELS_DIR && 'skipped: no models (run tools/test-online.sh)';
const catalog = JSON.parse(fs.readFileSync(path.join(REPO, 'models/catalog.json'), 'utf8'));
const PAIRS = catalog.models[0].checks.retrieval.pairs.map((p) => [path.join(REPO, 'models', p.image), p.text]);

let work;
let server;
let browser;

before(async () => {
  if (skip) return;
  requireBuiltPage();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clipsearch-web-online-'));
  server = await startServer({ root: WEB_DIR });
  server.mount('/models-online/', MODELS_DIR);
  server.mount('/indexes/', work);
  for (const name of NAMES) buildIndex(path.join(MODELS_DIR, name), PAIRS, path.join(work, name));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

for (const name of NAMES.length ? NAMES : ['(none)']) {
  for (const backend of BACKENDS) {
    test(`${name} on ${backend}: the page embeds as the CLI does`, { skip }, async () => {
      const r = await checkPageMatchesCli(browser, server, {
        modelDir: path.join(MODELS_DIR, name), modelUrl: `models-online/${name}/`, indexUrl: `indexes/${name}/`,
        backend, texts: PAIRS.map(([, text]) => text), images: PAIRS.slice(0, 2).map(([image]) => image),
        minCosine: 0.999,
      });
      console.log(`ONLINE ${name} ${backend} (${r.backendText}): ${r.figures.map((f) => `${f.query} ${f.precision} ${f.cosine.toFixed(5)}`).join('; ')}`);
      await r.page.page.close();
    });
  }
}
