// Models exported the way the published ones are (models/standins/), in the
// page on both backends: the page must give the CLI's embedding for each
// kind of graph, and fall back to WebAssembly, saying so, when WebGPU fails
// while running a graph.
//
//   clip-like fp32     causal text tower of any length, pooled at argmax(ids)
//   mobile-like fp32   non-causal tower on exactly 77 ids padded with 0
//   clip-like fp16     float16 inside, float32 inputs and outputs
//   clip-like int8     DynamicQuantizeLinear + MatMulInteger (one row per run)
//   webgpu-fails       a vision graph the WebGPU provider accepts but cannot run

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer } from './static_server.mjs';
import { WEB_DIR, REPO, CLI, PYTHON, BACKENDS, requireBuiltPage, launchBrowser } from './harness.mjs';
import { buildIndex, checkPageMatchesCli } from './model_parity.mjs';

requireBuiltPage();
const IMAGES = ['sk_chelsea.png', 'sk_rocket.jpg', 'sk_horse.png'].map((f) => path.join(REPO, 'models/reference', f));
const TEXTS = ['a red circle', 'two people riding bicycles in the rain'];
const KINDS = [
  { name: 'causal', repo: 'clip-like', precision: 'fp32', minCosine: 0.9999 },
  { name: 'fixed-77', repo: 'mobile-like', precision: 'fp32', minCosine: 0.9999 },
  { name: 'fp16', repo: 'clip-like', precision: 'fp16', minCosine: 0.999 },
  { name: 'int8', repo: 'clip-like', precision: 'int8', minCosine: 0.999 },
];

let work;
let server;
let browser;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'clipsearch-web-models-'));
  execFileSync(PYTHON, [path.join(REPO, 'models/standins/make_standins.py'), path.join(work, 'standins'), '--clipsearch', CLI],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  server = await startServer({ root: WEB_DIR });
  server.mount('/fixtures/', work);
  // Each kind as a user gets it: fetch-model from the repository layout,
  // one precision, then an index built with it.
  for (const kind of [...KINDS, { name: 'webgpu-fails', repo: 'webgpu-fails', precision: 'fp32' }]) {
    kind.dir = path.join(work, 'models', kind.name);
    // Asynchronously: the server that answers it runs in this process.
    await promisify(execFile)(CLI, ['fetch-model', '--url', `${server.url}fixtures/standins/${kind.repo}/`,
      '--name', kind.name, '--precision', kind.precision, '--out', kind.dir]);
    buildIndex(kind.dir, IMAGES.map((f) => [f, path.basename(f)]), path.join(work, 'indexes', kind.name));
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

for (const kind of KINDS) {
  for (const backend of BACKENDS) {
    test(`${kind.name} (${kind.repo}, ${kind.precision}) on ${backend}: the page embeds as the CLI does`, async () => {
      const r = await checkPageMatchesCli(browser, server, {
        modelDir: kind.dir, modelUrl: `fixtures/models/${kind.name}/`, indexUrl: `fixtures/indexes/${kind.name}/`,
        backend, texts: TEXTS, images: IMAGES.slice(0, 1), minCosine: kind.minCosine,
      });
      console.log(`PARITY ${kind.name} ${backend}: ${r.figures.map((f) => `${f.query} ${f.precision} ${f.cosine.toFixed(6)}`).join('; ')}`);
      // The folder holds only this precision: the page ran that file.
      assert.deepEqual([...new Set(r.figures.map((f) => f.precision))], [kind.precision]);
      // float16 on a WebGPU adapter without shader-f16 (SwiftShader) gives
      // zeros: the page moves to WebAssembly and says so; anything else runs
      // where it was asked to, with no silent fallback.
      const noHalf = backend === 'webgpu' && kind.precision === 'fp16' &&
        !(await r.page.page.evaluate(async () => (await navigator.gpu.requestAdapter()).features.has('shader-f16')));
      if (noHalf) {
        assert.match(r.status.text, /WebGPU failed while running the text encoder \(the embedding it returned is all zeros\); using WebAssembly instead/);
        assert.match(r.backendText, /wasm/);
      } else {
        assert.match(r.backendText, new RegExp(backend));
      }
      await r.page.page.close();
    });
  }
}

test('a graph WebGPU cannot run falls back to WebAssembly at run time, and says so', { skip: !BACKENDS.includes('webgpu') }, async () => {
  const dir = path.join(work, 'models', 'webgpu-fails');
  const r = await checkPageMatchesCli(browser, server, {
    modelDir: dir, modelUrl: 'fixtures/models/webgpu-fails/', indexUrl: 'fixtures/indexes/webgpu-fails/',
    backend: 'webgpu', texts: [], images: IMAGES.slice(1, 2), minCosine: 0.9999,
  });
  const status = await r.page.page.evaluate(() => document.querySelector('[data-testid="status"]').textContent);
  console.log(`FALLBACK status: ${status} | backend: ${r.backendText}`);
  assert.match(status, /WebGPU failed while running the vision encoder \(.*Antialias.*\); using WebAssembly instead\./);
  assert.match(r.backendText, /wasm/);
  // The next image runs on WebAssembly straight away.
  const again = await r.page.dropFile(IMAGES[2]);
  assert.ok(!again.error, again.error);
  await r.page.page.close();
});
