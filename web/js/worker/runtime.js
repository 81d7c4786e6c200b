// Which execution backend to use, and loading ONNX Runtime Web for it.
// WebGPU runs the encoders on the GPU through ORT's JSEP build; everything
// else uses ORT's plain WebAssembly build (smaller download). Both come from
// this site (ort/), never from a CDN.

import { fetchVerified } from './fetch_cache.js';
import { UserError } from './errors.js';

const ORT_BUILDS = {
  webgpu: { module: 'ort/ort.min.mjs', runtime: 'ort/ort-wasm-simd-threaded.jsep.mjs', wasm: 'ort/ort-wasm-simd-threaded.jsep.wasm' },
  wasm: { module: 'ort/ort.wasm.min.mjs', runtime: 'ort/ort-wasm-simd-threaded.mjs', wasm: 'ort/ort-wasm-simd-threaded.wasm' },
};
const MAX_THREADS = 4;

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt))
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

export function requireWasmSimd() {
  if (typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE)) return;
  throw new UserError('no-simd',
    'This browser does not support WebAssembly SIMD, which the search engine and the model runtime need. ' +
    'Update to a current Chrome, Edge, Firefox (89+) or Safari (16.4+).');
}

// Threads need SharedArrayBuffer, which browsers only give cross-origin
// isolated pages (COOP + COEP headers).
export function threadCount() {
  return self.crossOriginIsolated ? Math.max(1, Math.min(MAX_THREADS, navigator.hardwareConcurrency || 1)) : 1;
}

// {problem, adapter}: why WebGPU is not used (null when it is), and the
// adapter it would run on.
async function webgpuAdapter(explicit) {
  if (!navigator.gpu) {
    return { problem: self.isSecureContext ? 'This browser has no WebGPU' : 'WebGPU needs a secure context (HTTPS or localhost)' };
  }
  let adapter;
  try {
    adapter = await navigator.gpu.requestAdapter();
  } catch (err) {
    return { problem: `WebGPU failed to start (${err.message})` };
  }
  if (!adapter) return { problem: 'No WebGPU adapter is available (no supported GPU, or it is blocked)' };
  // A software adapter (SwiftShader) is slower than WebAssembly on the CPU;
  // use it only when asked to.
  const arch = adapter.info?.architecture || '';
  if (!explicit && (adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter || /swiftshader/i.test(arch))) {
    return { problem: 'The only WebGPU adapter is a software emulation', adapter };
  }
  return { problem: null, adapter };
}

// Returns {name: 'webgpu'|'wasm', notes: [string], halfPrecision}:
// halfPrecision says whether float16 models can run there (WebGPU needs the
// adapter's shader-f16 feature; ModelSpec then picks fp32 over fp16).
export async function chooseBackend(requested) {
  if (requested === 'wasm') return { name: 'wasm', notes: [], halfPrecision: true };
  const { problem, adapter } = await webgpuAdapter(requested === 'webgpu');
  if (!problem) return { name: 'webgpu', notes: [], halfPrecision: adapter.features.has('shader-f16') };
  return { name: 'wasm', notes: [`${problem}; using WebAssembly instead.`], halfPrecision: true };
}

export function backendLabel(name) {
  const n = threadCount();
  return `${name} · threads ${n > 1 ? `on (${n})` : 'off'}`;
}

// Imports ORT for `backend` and hands it its WebAssembly binary, downloaded
// with progress and kept in Cache Storage like the model.
export async function loadOrt(backend, { appBase, buildInfo, core, onProgress }) {
  const build = ORT_BUILDS[backend];
  const ort = await import(new URL(build.module, appBase).href);
  const wasmUrl = new URL(build.wasm, appBase).href;
  const { bytes } = await fetchVerified(wasmUrl, {
    expect: buildInfo.files[build.wasm] || {},
    tag: buildInfo.version,
    cacheName: 'clipsearch-runtime',
    onProgress,
    core,
  });
  ort.env.wasm.wasmBinary = bytes;
  ort.env.wasm.wasmPaths = { mjs: new URL(build.runtime, appBase).href, wasm: wasmUrl };
  ort.env.wasm.numThreads = threadCount();
  ort.env.wasm.proxy = false;  // already off the main thread
  ort.env.logLevel = 'error';
  return ort;
}
