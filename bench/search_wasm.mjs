// Single-query search in WebAssembly, in Node.js or headless Chromium, against
// a plain JavaScript loop in the same run and the native search over the same
// shards. Data sets come from clipsearch_bench_search_data.
//
//   node bench/search_wasm.mjs --data DIR[,DIR...] [--host node|chromium]
//        [--wasm build/wasm] [--seconds 1]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runSearchBench } from './search_wasm_lib.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dataDirs = arg('data', '').split(',').filter(Boolean).map((d) => path.resolve(d));
const host = arg('host', 'node');
const wasmDir = path.resolve(arg('wasm', process.env.CLIPSEARCH_WASM_DIR || path.join(REPO, 'build/wasm')));
const seconds = Number(arg('seconds', '1'));
if (!dataDirs.length || !['node', 'chromium'].includes(host)) {
  console.error('usage: node bench/search_wasm.mjs --data DIR[,DIR] [--host node|chromium] [--wasm DIR] [--seconds S]');
  process.exit(2);
}
if (!fs.existsSync(path.join(wasmDir, 'clipsearch_core.mjs'))) {
  console.error(`${wasmDir}/clipsearch_core.mjs not found: build the \`wasm\` target or pass --wasm`);
  process.exit(2);
}

async function inNode(dataDir) {
  const { default: createClipCore } = await import(pathToFileURL(path.join(wasmDir, 'clipsearch_core.mjs')).href);
  const core = await createClipCore();
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e3;
  };
  return runSearchBench({
    core, seconds, clock: cpuMs, log: (m) => console.error(m),
    fetchBytes: async (name) => new Uint8Array(fs.readFileSync(path.join(dataDir, name))),
  });
}

async function inChromium(dataDir) {
  const { startServer } = await import('../tests/web/static_server.mjs');
  const { launchBrowser } = await import('../tests/web/harness.mjs');
  const server = await startServer({ root: REPO });
  server.mount('/wasm/', wasmDir);
  server.mount('/data/', dataDir);
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    page.on('console', (m) => console.error(`page: ${m.text()}`));
    await page.goto(`${server.url}bench/search_wasm.html?seconds=${seconds}`);
    await page.waitForFunction(() => window.__bench || window.__benchError, null, { timeout: 600_000, polling: 500 });
    const { result, error } = await page.evaluate(() => ({ result: window.__bench, error: window.__benchError }));
    if (error) throw new Error(error);
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

const fmt = (x, digits = 2) => x.toFixed(digits);
function report(r) {
  const vps = (ms) => r.n / (ms / 1e3);
  const js = vps(r.js.msPerQuery);
  const nativeInt8 = vps(r.native.int8.msPerQuery);
  const row = (name, m) => {
    const v = vps(m.msPerQuery);
    const recall = m.recall >= 0 ? fmt(m.recall, 4) : '-';
    console.log(`| ${name} | ${fmt(m.msPerQuery)} | ${fmt(v / 1e6, 3)}M | ${fmt(v / js)} | ${fmt(100 * v / nativeInt8, 0)}% | ${recall} |`);
  };
  console.log(`\n### ${host}: ${r.n} vectors x ${r.dim} dims\n`);
  console.log('| method | ms/query | vectors/s | x JS loop | of native int8 | recall@10 |');
  console.log('|---|---:|---:|---:|---:|---:|');
  row('JavaScript Float32Array loop + top-k', r.js);
  row(`wasm int8 (${r.kernel})`, r.int8);
  row('wasm binary x10 + int8 rescore', r.binary);
  row(`native int8 (${r.native.kernel}, same shards)`, r.native.int8);
  row('native binary x10 + int8 rescore', r.native.binary);
  const int8 = vps(r.int8.msPerQuery);
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  console.log(`\nTargets at ${r.n} vectors: wasm int8 >= 10x the JS loop: ${fmt(int8 / js)}x, ${verdict(int8 / js >= 10)}; ` +
              `>= 50% of native int8: ${fmt(100 * int8 / nativeInt8, 0)}%, ${verdict(int8 / nativeInt8 >= 0.5)}.`);
}

console.log(`## Search, WebAssembly in ${host === 'node' ? `Node.js ${process.version}` : 'headless Chromium'}, one thread\n`);
console.log(host === 'node'
  ? 'Times are CPU time of the process (process.cpuUsage), medians of repeats; the native rows are thread CPU time.'
  : 'Times are wall-clock (a page has no CPU clock), medians of repeats; the native rows are thread CPU time.');
for (const dir of dataDirs) report(await (host === 'node' ? inNode(dir) : inChromium(dir)));
