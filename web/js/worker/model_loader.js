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
// manifest.textTowers: same tokenizerKind / tokenizerFiles fields).
export async function loadTokenizer(core, model, tower = model.manifest) {
  const m = model.manifest;
  const texts = [];
  for (const f of tower.tokenizerFiles) {
    const file = typeof f === 'string' ? { path: f } : f;
    const bytes = await fetchModelFile(model, file, `tokenizer file ${file.path}`, { core });
    texts.push(new TextDecoder().decode(bytes));
  }
  const factories = {
    bpe_simple_vocab: () => core.Tokenizer.fromBpeMerges(texts[0]),
    vocab_merges: () => core.Tokenizer.fromVocabMerges(texts[0], texts[1]),
    tokenizer_json: () => core.Tokenizer.fromTokenizerJson(texts[0]),
    wordpiece: () => core.WordPieceTokenizer.fromVocabTxt(texts[0]),
  };
  const make = factories[tower.tokenizerKind];
  if (!make || texts.length < (tower.tokenizerKind === 'vocab_merges' ? 2 : 1)) {
    throw new UserError('model-damaged', `Model ${m.name}: tokenizer kind “${tower.tokenizerKind}” with ${texts.length} file(s) is not supported.`);
  }
  return coreRefusal('model-damaged', (why) => `Model ${m.name}: tokenizer: ${why}`, make);
}

// Loads the `which` ('text' | 'vision' | 'text:LANG', another language's
// text tower, whose {inputNames, outputName} come as `spec`) encoder for `backend`. When WebGPU
// cannot run it (missing feature, unsupported operator), falls back to
// WebAssembly and says so. Returns {encoder, backend, note}.
export async function loadEncoder(ort, model, which, backend, { core, onProgress, spec = model.manifest[which] }) {
  const what = `the ${which} encoder`;
  const variant = coreRefusal('model-damaged', (why) => `Model ${model.manifest.name}: no ${which} encoder file: ${why}`,
    () => core.pickVariant(model.json, which, backend));
  const bytes = await fetchModelFile(model, variant, `${what} (${variant.path})`, { core, onProgress });
  try {
    return { encoder: await Encoder.create(ort, bytes, backend, spec), backend, note: '' };
  } catch (err) {
    if (backend !== 'webgpu') throw explain(err, `starting ${what}`);
    const reason = String(err.message || err).split('\n')[0].slice(0, 160);
    const fallback = core.pickVariant(model.json, which, 'wasm');
    const wasmBytes = fallback.path === variant.path ? bytes : await fetchModelFile(model, fallback, `${what} (${fallback.path})`, { core, onProgress });
    try {
      const encoder = await Encoder.create(ort, wasmBytes, 'wasm', spec);
      return { encoder, backend: 'wasm', note: `WebGPU could not run ${what} (${reason}); using WebAssembly instead.` };
    } catch (err2) {
      throw explain(err2, `starting ${what}`);
    }
  }
}
