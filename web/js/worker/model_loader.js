// A model folder (models/<name>/model.json + its files): manifest, tokenizer
// and encoders, each file checked against the manifest and cached.

import { fetchManifest, fetchVerified, FetchError } from './fetch_cache.js';
import { Encoder } from './encoder.js';
import { UserError, explain, coreRefusal } from './errors.js';

const CACHE = 'clipsearch-model';

// "models/demo/" or "models/demo/model.json" -> URL of model.json.
export function modelJsonUrl(location) {
  const url = new URL(location);
  if (!url.pathname.endsWith('.json')) {
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    url.pathname += 'model.json';
  }
  return url.href;
}

function fileError(err, what, url) {
  if (!(err instanceof FetchError)) return explain(err, `loading ${what}`);
  if (err.reason === 'http' && err.status === 404) {
    return new UserError('model-missing', `Model missing: ${what} was not found at ${url} (HTTP 404). Check the “model” URL parameter or the index's model location.`);
  }
  if (err.reason === 'size' || err.reason === 'sha256') {
    return new UserError('model-damaged', `Model damaged: ${what} ${err.detail}. Re-copy the model folder.`);
  }
  return new UserError('model-missing', `Model unavailable: ${what} ${err.detail}.`);
}

export async function loadModelManifest(core, location) {
  const url = modelJsonUrl(location);
  let fetched;
  try {
    fetched = await fetchManifest(url, { cacheName: CACHE });
  } catch (err) {
    throw fileError(err, 'model.json', url);
  }
  const manifest = coreRefusal('model-damaged', (why) => `Model manifest ${url} is invalid: ${why}`,
    () => core.parseModelManifest(fetched.text));
  return { manifest, json: fetched.text, url, base: new URL('./', url).href, fromCache: fetched.fromCache };
}

// A model this site serves itself whose fingerprint is `fingerprint`, from
// models/served.json (written by the web build: [{name, fingerprint, path}],
// paths relative to that file), or null when there is none. Never throws:
// it is only asked when the model an index names cannot be loaded.
export async function loadServedModel(core, appBase, fingerprint) {
  const url = new URL('models/served.json', appBase).href;
  try {
    const { text } = await fetchManifest(url, { cacheName: CACHE });
    const entry = (JSON.parse(text).models || []).find((m) => m.fingerprint === fingerprint);
    return entry ? await loadModelManifest(core, new URL(entry.path, url).href) : null;
  } catch {
    return null;
  }
}

async function fetchModelFile(model, file, what, { core, onProgress }) {
  const url = new URL(file.path, model.base).href;
  try {
    const { bytes } = await fetchVerified(url, {
      expect: { sha256: file.sha256 || '', bytes: file.bytes || 0 },
      tag: model.manifest.fingerprint,
      cacheName: CACHE,
      onProgress,
      core,
    });
    return bytes;
  } catch (err) {
    throw fileError(err, what, url);
  }
}

// A model's text-tower languages, the primary one first.
export function modelLanguages(m) {
  return [m.textLanguage || 'en', ...(m.textTowers || []).map((t) => t.language)];
}

// How the page names a language in its messages.
export const LANGUAGE_NAMES = { en: 'English', zh: 'Chinese' };

// The tokenizer of the primary text tower, or of `tower` (an entry of
// manifest.textTowers): the core picks the implementation from the tower's
// tokenizer kind (core/model/tokenizer_factory.h), as the CLI's does.
export async function loadTokenizer(core, model, tower = model.manifest) {
  const m = model.manifest;
  const texts = [];
  for (const f of tower.tokenizerFiles) {
    const file = typeof f === 'string' ? { path: f } : f;
    const bytes = await fetchModelFile(model, file, `tokenizer file ${file.path}`, { core });
    texts.push(new TextDecoder().decode(bytes));
  }
  const language = tower === m ? '' : tower.language;
  return coreRefusal('model-damaged', (why) => `Model ${m.name}: ${why}`,
    () => core.towerTokenizer(model.json, language, texts));
}

// A session of the `which` encoder ('text', 'vision', 'text:LANG') from
// `bytes` on `backend`. A graph that ONNX Runtime cannot optimise fully is
// opened again with basic optimisations, and says so in `notes`.
async function openSession(ort, model, which, spec, variant, bytes, backend, core, notes) {
  const opts = { core, model, which, spec, file: variant.path };
  try {
    return await Encoder.create(ort, bytes, backend, { ...opts, optimization: 'all' });
  } catch (err) {
    if (err instanceof UserError) throw err;  // the graph does not fit model.json: no level fixes that
    const reason = String(err.message || err).split('\n')[0].slice(0, 160);
    const encoder = await Encoder.create(ort, bytes, backend, { ...opts, optimization: 'basic' });
    notes.push(`${variant.path} could not be optimised fully on ${backend} (${reason}); running it with basic optimisations.`);
    return encoder;
  }
}

// An embedding WebGPU returned with NaN or infinite values, or all zeros
// (a kernel that overflowed; float16 on an adapter without shader-f16), is a
// failure too, so the caller falls back.
function finite(embedding, backend) {
  if (backend !== 'webgpu') return embedding;
  if (!embedding.every(Number.isFinite)) throw new Error('the embedding it returned is not finite');
  if (!embedding.some((x) => x !== 0)) throw new Error('the embedding it returned is all zeros');
  return embedding;
}

// The encoder the page runs: on WebGPU, a failure while creating the
// session or while running it (an operator or a buffer the GPU cannot
// handle) moves it to WebAssembly for good, and says so once.
// `precision`: the file it runs ('fp32' | 'fp16' | 'int8'), as the core chose it.
class FallbackEncoder {
  constructor({ encoder, precision }, backend, toWasm) {
    this.current = encoder;
    this.precision = precision;
    this.backend = backend;
    this.toWasm = toWasm;
  }

  async call(method, ...args) {
    try {
      return finite(await this.current[method](...args), this.backend);
    } catch (err) {
      if (this.backend !== 'webgpu' || err instanceof UserError) throw err;
      const reason = String(err.message || err).split('\n')[0].slice(0, 160);
      const old = this.current;
      ({ encoder: this.current, precision: this.precision } = await this.toWasm('failed while running', reason));
      this.backend = 'wasm';
      old.release?.()?.catch?.(() => {});
      return this.current[method](...args);
    }
  }

  embedText(ids) { return this.call('embedText', ids); }
  embedImage(pixels, size) { return this.call('embedImage', pixels, size); }
}

// Loads the `which` ('text' | 'vision' | 'text:LANG', another language's
// text tower, whose {inputNames, outputName} come as `spec`) encoder for
// `backend`. When WebGPU cannot create or later run it, falls back to
// WebAssembly; `onNote(message, newBackend?)` hears of every such change
// (newBackend 'wasm' when the encoder moved). Returns {encoder, backend}.
// `ortLoading`: ONNX Runtime Web, or a promise of it (the file downloads meanwhile).
export async function loadEncoder(ortLoading, model, which, backend,
  { core, onProgress, spec = model.manifest[which], onNote = () => {}, halfPrecision = true }) {
  const what = `the ${which === 'vision' ? 'vision' : 'text'} encoder`;
  const pick = (b) => coreRefusal('model-damaged', (why) => `Model ${model.manifest.name}: no ${which} encoder file: ${why}`,
    () => core.pickVariant(model.json, which, b, { halfPrecision: b !== 'webgpu' || halfPrecision }));
  const variant = pick(backend);
  const bytes = await fetchModelFile(model, variant, `${what} (${variant.path})`, { core, onProgress });
  const ort = await ortLoading;
  const notes = [];
  const onWasm = async (failed, reason) => {
    const fallback = pick('wasm');
    const wasmBytes = fallback.path === variant.path ? bytes : await fetchModelFile(model, fallback, `${what} (${fallback.path})`, { core, onProgress });
    try {
      const encoder = await openSession(ort, model, which, spec, fallback, wasmBytes, 'wasm', core, notes);
      notes.forEach((n) => onNote(n));
      onNote(`WebGPU ${failed} ${what} (${reason}); using WebAssembly instead.`, 'wasm');
      return { encoder, precision: fallback.precision };
    } catch (err) {
      throw explain(err, `starting ${what}`);
    }
  };
  try {
    const encoder = await openSession(ort, model, which, spec, variant, bytes, backend, core, notes);
    notes.forEach((n) => onNote(n));
    return { encoder: new FallbackEncoder({ encoder, precision: variant.precision }, backend, onWasm), backend };
  } catch (err) {
    if (backend !== 'webgpu' || err instanceof UserError) throw explain(err, `starting ${what}`);
    const reason = String(err.message || err).split('\n')[0].slice(0, 160);
    return { encoder: new FallbackEncoder(await onWasm('could not run', reason), 'wasm', onWasm), backend: 'wasm' };
  }
}
