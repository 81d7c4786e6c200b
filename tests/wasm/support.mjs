// Shared by the wasm tests: where the module, the native programs they
// compare with and the test data are, and a seeded random source. CTest sets the paths
// (tests/wasm/CMakeLists.txt); by hand they default to a build in build/.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const sourceDir = process.env.CLIPSEARCH_SOURCE_DIR ??
  resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const testData = join(sourceDir, 'tests/data');
const wasmDir = process.env.CLIPSEARCH_WASM_DIR ?? join(sourceDir, 'build/wasm');
const nativeReference = process.env.CLIPSEARCH_NATIVE_REFERENCE ??
  join(sourceDir, 'build/tests/wasm/wasm_native_reference');
const cli = process.env.CLIPSEARCH_CLI ?? join(sourceDir, 'build/tools/clipsearch');

// One module instance per test file (node --test runs each file in its own process).
export async function loadCore() {
  const file = join(wasmDir, 'clipsearch_core.mjs');
  if (!existsSync(file)) throw new Error(`${file} not found: build it with cmake --build build --target wasm`);
  const { default: createClipCore } = await import(pathToFileURL(file).href);
  return createClipCore();
}

function run(program, variable, args) {
  if (!existsSync(program)) throw new Error(`${program} not found: build it, or set ${variable}`);
  return execFileSync(program, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
}

// wasm_native_reference (tests/wasm/native_reference.cpp); returns its stdout.
export const runNative = (...args) => run(nativeReference, 'CLIPSEARCH_NATIVE_REFERENCE', args);
// The native command-line tool.
export const runCli = (...args) => run(cli, 'CLIPSEARCH_CLI', args);

export const readData = (relative) => readFileSync(join(testData, relative));

// A core Index over shard files at hand: the manifest the indexer would
// write for them (core.makeIndexManifest), then the index made from it.
// `files`: [{file, bytes}]; `model`: {name, fingerprint, dim}.
export function indexFor(core, model, files) {
  return core.Index.fromManifest(core.makeIndexManifest(model, files));
}

// mulberry32: a small deterministic PRNG, so failures reproduce.
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The message of the ClipError `call` throws (the module's error convention,
// docs/WASM_API.md); fails when it returns instead or throws something else.
export function refusal(call) {
  let value;
  try {
    value = call();
  } catch (err) {
    if (err?.name !== 'ClipError') throw err;
    if (!(typeof err.message === 'string' && err.message.length > 0 && !err.message.includes('\n'))) {
      throw new Error(`ClipError without a one-line message: ${JSON.stringify(err.message)}`);
    }
    return err.message;
  }
  throw new Error(`expected a ClipError, but the call returned ${String(value).slice(0, 80)}`);
}
