#!/usr/bin/env node
// A million images in one browser tab: the page's tiered loading measured
// end to end (docs/WEB.md "Large indexes: tiers", BENCHMARKS.md).
//
//   node bench/page_scale.mjs --vectors N [--json] [--queries 40] [--whole]
//        [--web build/web] [--bench build/bench] [--work DIR] [--shard 65536] [--tiers auto|on]
//        [--prepare]   (only write the model and indexes into --work, and stop)
//
// 1. An N-image index of clustered CLIP-like 512-d vectors
//    (bench/synthetic_embeddings.h), written by the project's own writer
//    (bench/page_index.cpp), tied to a small 512-d text model
//    (bench/page_scale_model.py: a lookup that embeds each query word as one
//    synthetic query drawn from the same mixture), so model loading does not
//    dominate; and a 1,000-image index of the same model, the baseline.
// 2. Both served from loopback by a server that supports HTTP Range
//    (tools/serve.mjs's), which counts the bytes it sends.
// 3. Headless Chromium (a fresh profile each run: cold cache; driven over a
//    DevTools pipe without Playwright, see cdp_pipe.mjs) opens the page
//    with the first query in its URL, then types the other queries.
//
// Printed: a table, and with --json a last line that is one JSON object:
//   vectors, index_rss_overhead_mb (renderer RSS with the N-image index minus
//   the same page with the 1,000-image index, measured in this run),
//   downloaded_mb_before_first_result, first_result_ms (navigation to the
//   first rendered result, cold cache; it may cover the part of the index
//   loaded so far, and says so), query_ms_median (warm text queries: sent
//   to rendered), recall_at_10 (against exact float search over the same
//   vectors), and the same for the first complete result
//   (first_complete_result_ms, downloaded_mb_before_complete_result).
//   --whole adds a run of the same page loading every shard whole
//   (?tiers=off), today's all-in-memory loading, under "whole".

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchPipeBrowser } from './cdp_pipe.mjs';
import { startStaticServer } from '../tools/serve.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const flag = (name) => args.includes(`--${name}`);

const N = Number(arg('vectors', '0'));
const NQ = Number(arg('queries', '40'));
const JSON_OUT = flag('json');
const WEB = path.resolve(arg('web', path.join(REPO, 'build/web')));
const BENCH = path.resolve(arg('bench', path.join(REPO, 'build/bench')));
// Rows per shard file. Tiered queries fetch rows with one request per shard
// holding a candidate, so a large index served in tiers wants large shards
// (BENCHMARKS.md "A million images in one tab": requests per query).
const SHARD = Number(arg('shard', '65536'));
const TIERS = arg('tiers', 'auto');  // the page's ?tiers= for the N-image run
const WORK = path.resolve(arg('work', path.join(REPO, 'build/bench-page-scale')));
const PYTHON = '/usr/bin/python3';
const DIM = 512;
const BASELINE = 1000;
const K = 10;
if (!Number.isInteger(N) || N < 1 || !Number.isInteger(NQ) || NQ < 1) {
  console.error('usage: node bench/page_scale.mjs --vectors N [--json] [--queries 40] [--whole] [--web build/web] [--bench build/bench] [--work DIR] [--shard 65536] [--tiers auto|on]');
  process.exit(2);
}
const log = (...a) => console.error(...a);
for (const need of [path.join(WEB, 'index.html'), path.join(BENCH, 'clipsearch_bench_page_index')]) {
  if (!fs.existsSync(need)) {
    console.error(`${need} is missing: cmake --build build --target web clipsearch_bench_page_index`);
    process.exit(2);
  }
}

// ---- the model and its query words -----------------------------------------

// Common words; those the CLIP tokenizer keeps as one token are the queries.
const WORDS = `dog cat bird horse cow sheep boat car truck train plane bicycle tree flower house river mountain beach
  city street road bridge table chair bed lamp book phone computer camera clock cup bottle glass plate bowl knife
  apple orange banana bread cake pizza coffee tea water fire snow rain cloud sun moon star sky sea lake forest field
  garden park school church castle tower window door wall floor roof kitchen room office shop market farm island
  desert valley hill rock stone sand grass leaf wood paper music guitar piano drum song dance game ball team player
  child baby woman man girl boy family friend teacher doctor soldier king queen prince island ship fish shark whale
  lion tiger bear wolf fox rabbit mouse snake frog duck chicken eagle owl bee butterfly spider red blue green yellow
  black white brown pink purple gray gold silver summer winter autumn spring morning night evening storm wind light
  shadow color picture painting photo portrait statue museum library hospital airport station stadium bank hotel`
  .split(/\s+/).filter(Boolean);

async function loadCore() {
  const { default: create } = await import(pathToFileURL(path.join(WEB, 'core/clipsearch_core.mjs')).href);
  return create();
}

function pickWords(core, count) {
  const tok = core.Tokenizer.fromBpeMerges(fs.readFileSync(path.join(REPO, 'models/clip-bpe/bpe_simple_vocab_16e6.txt'), 'utf8'));
  const seen = new Set();
  const out = [];
  for (const w of WORDS) {
    const ids = tok.encode(w);
    if (ids.length !== 3 || seen.has(ids[1])) continue;
    seen.add(ids[1]);
    out.push({ word: w, token: ids[1] });
    if (out.length === count) break;
  }
  if (out.length < count) throw new Error(`only ${out.length} one-token query words; ask for fewer --queries`);
  return out;
}

const run = (program, argv) => execFileSync(program, argv, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

// The model, the two indexes and the exact answers, kept in WORK between
// runs (a 1M index takes minutes to write) and remade when anything differs.
function prepare(words) {
  fs.mkdirSync(WORK, { recursive: true });
  const queries = path.join(WORK, 'queries.f32');
  run(path.join(BENCH, 'clipsearch_bench_page_index'), ['--queries-out', queries, '--nq', String(words.length + 1), '--dim', String(DIM)]);
  const modelDir = path.join(WORK, 'site/models/page-scale-lookup');
  run(PYTHON, [path.join(REPO, 'bench/page_scale_model.py'), modelDir, '--queries', queries, '--tokens', words.map((w) => w.token).join(','), '--dim', String(DIM)]);
  const model = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
  // The words' vectors (rows 1..), for the exact answers.
  const all = fs.readFileSync(queries);
  const wordQueries = path.join(WORK, 'word_queries.f32');
  fs.writeFileSync(wordQueries, all.subarray(DIM * 4));

  const index = (n, name, truth) => {
    const dir = path.join(WORK, 'site', name);
    const stamp = path.join(WORK, `${name}.stamp`);
    const want = JSON.stringify({ n, shard: SHARD, fingerprint: model.fingerprint, words: words.map((w) => w.word) });
    if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want && fs.existsSync(path.join(dir, 'manifest.json'))) return;
    fs.rmSync(dir, { recursive: true, force: true });
    log(`writing the ${n.toLocaleString('en-US')}-image index…`);
    run('nice', ['-n', '10', path.join(BENCH, 'clipsearch_bench_page_index'), '--n', String(n), '--out', dir, '--dim', String(DIM),
      '--shard', String(SHARD), '--model-name', model.name, '--fingerprint', model.fingerprint,
      '--model-location', '../models/page-scale-lookup',
      ...(truth ? ['--truth-for', wordQueries, '--truth-out', path.join(WORK, `${name}.truth.json`), '--k', String(K)] : [])]);
    fs.writeFileSync(stamp, want);
  };
  index(N, `index-${N}`, true);
  index(BASELINE, `index-${BASELINE}`, false);
  // The page itself, linked in (the server never leaves its root).
  for (const entry of fs.readdirSync(WEB)) {
    if (entry === 'index' || entry === 'models') continue;
    const link = path.join(WORK, 'site', entry);
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(path.join(WEB, entry), link);
  }
  return JSON.parse(fs.readFileSync(path.join(WORK, `index-${N}.truth.json`), 'utf8'));
}

// ---- the server: Range-capable, counting what it sends ----------------------

async function startServer(root) {
  const sent = [];  // {at: ms since epoch when the answer ended, bytes}
  const { server, url } = await startStaticServer({ root, onSent: (bytes) => sent.push({ at: Date.now(), bytes }) });
  return { server, sent, url };
}

// ---- the browser -------------------------------------------------------------

// Resident memory of this process's Chromium renderers (the page and its
// worker run in one), from /proc.
function rendererRssMb() {
  const parent = new Map();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
    } catch { /* exited */ }
  }
  const mine = (pid) => {
    for (let p = pid; p && p !== '0' && p !== '1'; p = parent.get(p)) if (p === String(process.pid)) return true;
    return false;
  };
  let kb = 0;
  for (const pid of parent.keys()) {
    if (!mine(pid)) continue;
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      kb += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] || 0);
    } catch { /* exited */ }
  }
  return kb / 1024;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

function recall(truth, ids) {
  const want = new Set(truth.slice(0, K));
  return ids.slice(0, K).filter((id) => want.has(id)).length / Math.min(K, truth.length);
}

// One cold page load and the warm queries after it, in a browser driven
// without Playwright (bench/cdp_pipe.mjs says why).
async function measure(server, { index, tiers, words, truth, label }) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'clipsearch-scale-'));
  const browser = await launchPipeBrowser({
    executablePath: process.env.CLIPSEARCH_CHROMIUM || '/usr/bin/chromium',
    userDataDir: profile,
    args: ['--no-sandbox', '--enable-features=SharedArrayBuffer'],
  });
  try {
    server.sent.splice(0);
    const t0 = Date.now();
    const page = await browser.newPage(`${server.url}?backend=wasm&k=${K}&tiers=${tiers}&index=${index}/&q=${encodeURIComponent(words[0].word)}`);
    const timeoutMs = 600_000;
    const status = 'document.querySelector(\'[data-testid="status"]\')';
    await page.waitFor(`window.__clipsearch && (window.__clipsearch.firstResultMs !== null || window.__clipsearch.lastError || ${status}.dataset.state === 'error')`, { timeoutMs, pollMs: 20 });
    const first = await page.evaluate('({ ms: window.__clipsearch.firstResultMs, origin: performance.timeOrigin })');
    if (first.ms === null) throw new Error(`${label}: ${await page.evaluate(`${status}.textContent`)}`);
    const bytesUntil = (ms) => server.sent.filter((s) => s.at <= first.origin + ms).reduce((n, s) => n + s.bytes, 0);
    const firstMb = bytesUntil(first.ms) / 2 ** 20;
    await page.waitFor('window.__clipsearch.firstCompleteResultMs !== null', { timeoutMs, pollMs: 50 });
    const complete = await page.evaluate('({ ms: window.__clipsearch.firstCompleteResultMs, hits: window.__clipsearch.last.hits.map((h) => h.id) })');
    const completeMb = bytesUntil(complete.ms) / 2 ** 20;
    await page.waitFor(`${status}.dataset.state === 'ready' && !/so far/.test(${status}.textContent)`, { timeoutMs, pollMs: 100 });
    const recalls = truth ? [recall(truth[0], complete.hits)] : [];
    const loadedMb = server.sent.reduce((n, s) => n + s.bytes, 0) / 2 ** 20;
    log(`${label}: first result ${first.ms.toFixed(0)} ms (${firstMb.toFixed(1)} MB), complete ${complete.ms.toFixed(0)} ms (${completeMb.toFixed(1)} MB), loaded ${loadedMb.toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // Warm text queries, typed as a user would (the input event the box
    // listens to); the page times each from sending it to the worker to
    // rendering its answer.
    const times = [];
    const requestsBefore = server.sent.length;
    for (const w of words.slice(1)) {
      const before = await page.evaluate('window.__clipsearch.seq');
      await page.evaluate(`(() => { const box = document.querySelector('[data-testid="query"]'); box.value = ${JSON.stringify(w.word)}; ` +
        'box.dispatchEvent(new Event(\'input\', { bubbles: true })); })()');
      await page.waitFor(`window.__clipsearch.seq > ${before} && (window.__clipsearch.last?.seq === window.__clipsearch.seq || window.__clipsearch.lastError?.seq === window.__clipsearch.seq)`,
        { timeoutMs: 60_000, pollMs: 5 });
      const r = await page.evaluate('({ hits: window.__clipsearch.last?.hits.map((h) => h.id), error: window.__clipsearch.lastError?.message, ' +
        'ms: window.__clipsearch.latenciesMs.at(-1)?.ms, steps: window.__clipsearch.last?.steps, unscored: window.__clipsearch.last?.unscored, ' +
        'encodeMs: window.__clipsearch.last?.encodeMs })');
      if (process.env.CLIPSEARCH_BENCH_VERBOSE) log(`  ${w.word}: ${r.ms?.toFixed(1)} ms (encode ${r.encodeMs?.toFixed(1)}) ${JSON.stringify(r.steps)} unscored ${r.unscored}`);
      if (!r.hits) throw new Error(`${label}: query "${w.word}" failed: ${r.error}`);
      times.push(r.ms);
      if (truth) recalls.push(recall(truth[words.indexOf(w)], r.hits));
    }
    const requestsPerQuery = (server.sent.length - requestsBefore) / (words.length - 1);
    const rss = rendererRssMb();
    return {
      first_result_ms: first.ms,
      downloaded_mb_before_first_result: firstMb,
      first_complete_result_ms: complete.ms,
      downloaded_mb_before_complete_result: completeMb,
      downloaded_mb_at_load: loadedMb,
      query_ms_median: median(times),
      query_ms_p90: [...times].sort((a, b) => a - b)[Math.floor(0.9 * (times.length - 1))],
      requests_per_query: requestsPerQuery,
      recall_at_10: recalls.length ? recalls.reduce((a, b) => a + b, 0) / recalls.length : null,
      rss_mb: rss,
    };
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

// ---- main ------------------------------------------------------------------

const core = await loadCore();
const words = pickWords(core, NQ + 1);
const truth = prepare(words);
if (flag('prepare')) {
  log(`prepared in ${WORK}`);
  process.exit(0);
}
const { server, sent, url } = await startServer(path.join(WORK, 'site'));
const srv = { url, sent };
try {
  const base = await measure(srv, { index: `index-${BASELINE}`, tiers: 'auto', words, truth: null, label: `${BASELINE} images (baseline)` });
  const tiered = await measure(srv, { index: `index-${N}`, tiers: TIERS, words, truth, label: `${N} images` });
  const whole = flag('whole') ? await measure(srv, { index: `index-${N}`, tiers: 'off', words, truth, label: `${N} images, whole shards` }) : null;
  const manifest = JSON.parse(fs.readFileSync(path.join(WORK, 'site', `index-${N}`, 'manifest.json'), 'utf8'));
  const row = (name, r) => `| ${name} | ${(r.rss_mb - base.rss_mb).toFixed(0)} | ${r.downloaded_mb_before_first_result.toFixed(1)} | ${r.first_result_ms.toFixed(0)} | ` +
    `${r.downloaded_mb_before_complete_result.toFixed(1)} | ${r.first_complete_result_ms.toFixed(0)} | ${r.query_ms_median.toFixed(1)} | ${r.requests_per_query.toFixed(1)} | ${r.recall_at_10?.toFixed(3)} |`;
  console.log(`\n${N.toLocaleString('en-US')} vectors x ${DIM} dims, ${manifest.shards.length} shards of up to ${SHARD}; ${NQ} warm text queries, k = ${K}; baseline renderer RSS ${base.rss_mb.toFixed(0)} MB (${BASELINE} images)\n`);
  console.log('| loading | RSS over baseline MB | MB before first result | first result ms | MB before complete result | complete result ms | query ms (median) | requests per query | recall@10 |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(row('tiers (heads, rows by Range)', tiered));
  if (whole) console.log(row('whole shards', whole));
  if (JSON_OUT) {
    const round = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 1000) / 1000 : v]));
    console.log(JSON.stringify({
      vectors: N,
      index_rss_overhead_mb: Math.round((tiered.rss_mb - base.rss_mb) * 10) / 10,
      ...round(tiered),
      baseline_rss_mb: Math.round(base.rss_mb * 10) / 10,
      shards: manifest.shards.length,
      ...(whole ? { whole: { ...round(whole), index_rss_overhead_mb: Math.round((whole.rss_mb - base.rss_mb) * 10) / 10 } } : {}),
    }));
  }
} finally {
  server.closeAllConnections();
  server.close();
}
