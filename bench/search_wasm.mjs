// Single-query search in WebAssembly, in Node.js or headless Chromium, against
// a plain JavaScript loop in the same run and the native search over the same
// shards. Data sets come from clipsearch_bench_search_data.
//
//   node bench/search_wasm.mjs --data DIR[,DIR...] [--host node|chromium]
//        [--wasm build/wasm] [--seconds 1]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { prepareSearchBench } from './search_wasm_lib.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dataDirs = arg('data', '').split(',').filter(Boolean).map((d) => path.resolve(d));
const host = arg('host', 'node');
const wasmDir = path.resolve(arg('wasm', process.env.CLIPSEARCH_WASM_DIR || path.join(REPO, 'build/wasm')));
const seconds = Number(arg('seconds', '1'));
// Methods take turns this many times and each keeps its median turn, so a
// change in machine load during the run hits every method alike.
const ROUNDS = 3;
if (!dataDirs.length || !['node', 'chromium'].includes(host)) {
  console.error('usage: node bench/search_wasm.mjs --data DIR[,DIR] [--host node|chromium] [--wasm DIR] [--seconds S]');
  process.exit(2);
}
if (!fs.existsSync(path.join(wasmDir, 'clipsearch_core.mjs'))) {
  console.error(`${wasmDir}/clipsearch_core.mjs not found: build the \`wasm\` target or pass --wasm`);
  process.exit(2);
}

const METHODS = ['js', 'int8', 'binary'];

async function inRounds(info, run) {
  const turns = Object.fromEntries(METHODS.map((m) => [m, []]));
  for (let r = 0; r < ROUNDS; r++) for (const m of METHODS) turns[m].push(await run(m));
  const result = { ...info };
  for (const m of METHODS) {
    const sorted = [...turns[m]].sort((a, b) => a.msPerQuery - b.msPerQuery);
    result[m] = { ...sorted[sorted.length >> 1], recall: turns[m][0].recall };
  }
  return result;
}

async function inNode(dataDir) {
  const { default: createClipCore } = await import(pathToFileURL(path.join(wasmDir, 'clipsearch_core.mjs')).href);
  const bench = await prepareSearchBench({
    core: await createClipCore(),
    fetchBytes: async (name) => new Uint8Array(fs.readFileSync(path.join(dataDir, name))),
    log: (m) => console.error(m),
  });
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e3;
  };
  return inRounds(bench.info, async (m) => bench.run(m, { seconds, clock: cpuMs }));
}

// CPU time of this process's Chromium renderers (the page's JS and wasm run
// on its main thread), from /proc: a page cannot read a CPU clock itself.
const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
function rendererCpuMs() {
  const parent = new Map();
  const stat = new Map();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');  // fields from 3 (state) on
      parent.set(pid, f[1]);
      stat.set(pid, Number(f[11]) + Number(f[12]));  // utime + stime
    } catch { /* exited meanwhile */ }
  }
  const mine = (pid) => {
    for (let p = pid; p && p !== '0' && p !== '1'; p = parent.get(p)) if (p === String(process.pid)) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, t] of stat) {
    if (!mine(pid)) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) ticks += t;
    } catch { /* exited meanwhile */ }
  }
  return (ticks * 1e3) / TICKS_PER_S;
}

async function inChromium(dataDir) {
  const { startServer } = await import('../tests/web/static_server.mjs');
  // The harness asks where CMake put the page and the CLI; only its browser
  // launcher is used here, so any existing paths will do.
  process.env.CLIPSEARCH_WEB_DIR ||= wasmDir;
  process.env.CLIPSEARCH_CLI ||= wasmDir;
  const { launchBrowser } = await import('../tests/web/harness.mjs');
  const server = await startServer({ root: REPO });
  server.mount('/wasm/', wasmDir);
  server.mount('/data/', dataDir);
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    page.on('console', (m) => console.error(`page: ${m.text()}`));
    await page.goto(`${server.url}bench/search_wasm.html`);
    await page.waitForFunction(() => window.__bench || window.__benchError, null, { timeout: 600_000, polling: 500 });
    const error = await page.evaluate(() => window.__benchError);
    if (error) throw new Error(error);
    const info = await page.evaluate(() => window.__bench.info);
    return await inRounds(info, async (m) => {
      const cpu0 = rendererCpuMs();
      const r = await page.evaluate(([name, s]) => window.__bench.run(name, { seconds: s }), [m, seconds]);
      // Mean CPU per query over the turn; the page's own (wall) median for context.
      return { ...r, wallMsPerQuery: r.msPerQuery, msPerQuery: (rendererCpuMs() - cpu0) / r.runs };
    });
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
  row('wasm binary (default oversample) + int8 rescore', r.binary);
  row(`native int8 (${r.native.kernel}, same shards)`, r.native.int8);
  row('native binary (default oversample) + int8 rescore', r.native.binary);
  const int8 = vps(r.int8.msPerQuery);
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  console.log(`\nTargets at ${r.n} vectors: wasm int8 >= 10x the JS loop: ${fmt(int8 / js)}x, ${verdict(int8 / js >= 10)}; ` +
              `>= 50% of native int8: ${fmt(100 * int8 / nativeInt8, 0)}%, ${verdict(int8 / nativeInt8 >= 0.5)}.`);
}

console.log(`## Search, WebAssembly in ${host === 'node' ? `Node.js ${process.version}` : 'headless Chromium'}, one thread\n`);
console.log(host === 'node'
  ? 'Times are CPU time of the process (process.cpuUsage), medians of repeats; the native rows are thread CPU time.'
  : 'Times are the CPU time of the page\'s renderer process (from /proc) per query over each run of repeats; the native rows are thread CPU time.');
for (const dir of dataDirs) report(await (host === 'node' ? inNode(dir) : inChromium(dir)));
