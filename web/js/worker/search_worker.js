// The search worker: owns the wasm core, ONNX Runtime Web, the model and the
// index, so the page never blocks. Protocol: see ../search_client.js.
// Queries go through a one-slot mailbox (query_mailbox.js): a query that
// finishes after a newer one arrived is dropped unanswered.

import buildInfo from '../build_info.js';
import { chooseBackend, backendLabel, loadOrt, requireWasmSimd } from './runtime.js';
import { loadModelManifest, loadTokenizer, loadEncoder } from './model_loader.js';
import { loadIndexManifest, loadShards, checkMemory, totalShardBytes } from './index_loader.js';
import { imageToTensor } from './image_decode.js';
import { QueryMailbox } from './query_mailbox.js';
import { cacheAvailable } from './fetch_cache.js';
import { UserError, explain, coreRefusal } from './errors.js';
import { formatCount, formatBytes } from '../format.js';

const TEXT_CACHE_SIZE = 128;
const BINARY_PASS_MIN_VECTORS = 200_000;  // below this, exhaustive int8 is fast enough

const post = (msg) => self.postMessage(msg);

let config = null;
let core = null;
let ort = null;
let backend = 'wasm';
let model = null;          // {manifest, json, base, ...}
let tokenizer = null;
let textEncoder = null;
let visionEncoder = null;  // Promise, created on the first image query
let index = null;          // core.Index
let indexInfo = null;      // {manifest, base}
let shardsLoaded = 0;
const notes = [];
const textCache = new Map();
let image = null;          // {key, embedding, sha256} of the current image query
let last = null;           // last answered query, re-run as more shards arrive

let damage = '';           // message about skipped shards, once all have been tried
let markReady;
let isReady = false;
const ready = new Promise((resolve) => (markReady = resolve));
let fatal = null;          // UserError that stops all queries

function status(state, message) {
  post({ type: 'status', state, message, notes: [...notes] });
}

function progress(id, label) {
  return (loaded, total) => post({ type: 'progress', id, label, loaded, total });
}

function postIndexInfo() {
  post({
    type: 'index',
    base: indexInfo.base,
    count: index.size,
    totalCount: indexInfo.manifest.count,
    loadedShards: shardsLoaded,
    totalShards: indexInfo.manifest.shards.length,
    modelName: model.manifest.name,
  });
}

async function loadCore() {
  const { default: createClipCore } = await import(new URL('core/clipsearch_core.mjs', config.appBase).href);
  return createClipCore();
}

async function init() {
  requireWasmSimd();
  status('loading', 'Starting the search engine…');
  core = await loadCore();
  if (!config.secure) {
    notes.push('This page is not a secure context (plain HTTP from another host), so WebGPU and offline caching are off; serve it over HTTPS or from localhost to turn them on.');
  } else if (!cacheAvailable()) {
    notes.push('Cache Storage is unavailable here, so the model and index will download again next visit.');
  }

  status('loading', 'Reading the index and model manifests…');
  indexInfo = await loadIndexManifest(core, config.index);
  const im = indexInfo.manifest;
  const modelLocation = config.model || (im.modelLocation ? new URL(im.modelLocation, indexInfo.base).href : '');
  if (!modelLocation) {
    throw new UserError('model-missing', 'The index manifest names no model location; add ?model=<model folder or URL> to the page address.');
  }
  model = await loadModelManifest(core, modelLocation);
  const m = model.manifest;
  if (m.fingerprint !== im.modelFingerprint) {
    throw new UserError('model-mismatch',
      `This index was built with another model: it needs “${im.modelName}” (fingerprint ${im.modelFingerprint.slice(0, 12)}…) ` +
      `but the page loaded “${m.name}” (fingerprint ${m.fingerprint.slice(0, 12)}…) from ${model.base}. ` +
      'Load the matching model with ?model=, or rebuild the index with this one.');
  }
  if (im.dim !== m.embeddingDim) {
    throw new UserError('model-mismatch', `The index holds ${im.dim}-d vectors but model “${m.name}” makes ${m.embeddingDim}-d embeddings.`);
  }
  checkMemory(im, config.deviceMemory);
  if (model.fromCache || indexInfo.fromCache) notes.push('Offline: using the cached model and index.');

  const chosen = await chooseBackend(config.backend);
  backend = chosen.name;
  notes.push(...chosen.notes);
  post({ type: 'backend', name: backend, label: backendLabel(backend) });

  index = new core.Index();
  postIndexInfo();
  status('loading', `Loading model “${m.name}” and ${formatCount(im.count)} images (${formatBytes(totalShardBytes(im))})…`);

  const textSide = (async () => {
    ort = await loadOrt(backend, { appBase: config.appBase, buildInfo, core, onProgress: progress('runtime', 'Model runtime') });
    tokenizer = await loadTokenizer(core, model);
    const r = await loadEncoder(ort, model, 'text', backend, { core, onProgress: progress('text-model', 'Text model') });
    textEncoder = r.encoder;
    if (r.backend !== backend) {
      backend = r.backend;
      notes.push(r.note);
      post({ type: 'backend', name: backend, label: backendLabel(backend) });
    }
  })();

  let firstShard;
  const shardArrived = new Promise((resolve) => (firstShard = resolve));
  const shards = loadShards(core, index, indexInfo, {
    fingerprint: m.fingerprint,
    onProgress: progress('index', 'Index'),
    onShard: () => {
      shardsLoaded++;
      postIndexInfo();
      firstShard();
      if (isReady && !fatal) status('ready', readyMessage());
      if (last && textEncoder) rerunLast();
    },
  });
  // An empty index, or one whose every shard failed, is still "loaded".
  let shardsDone = false;
  shards.then(() => (shardsDone = true), () => {}).then(firstShard);

  await Promise.all([textSide, Promise.race([shardArrived, shards])]);
  markReady();
  isReady = true;
  if (!shardsDone) status('ready', readyMessage());

  const damaged = await shards;
  if (damaged.length) {
    const sentences = damaged.map((e) => (/[.!?]$/.test(e.message) ? e.message : `${e.message}.`));
    damage = `${sentences.join(' ')} ${formatCount(index.size)} of ${formatCount(im.count)} images are searchable.`;
  }
  settle();
}

// The status to rest in once loading is over: ready, or the damage report.
function settle(message) {
  if (damage) status('error', message ? `${message} ${damage}` : damage);
  else status('ready', message || readyMessage());
}

function readyMessage() {
  const total = indexInfo.manifest.shards.length;
  const partial = shardsLoaded < total ? ` (${shardsLoaded} of ${total} shards so far; results update as the rest arrive)` : '';
  return `Ready: searching ${formatCount(index.size)} images${partial}.`;
}

function fail(err, what) {
  const e = explain(err, what);
  fatal = e;
  status('error', e.message);
  if (!ort) post({ type: 'backend', name: '', label: `not started (${backend === 'webgpu' ? 'webgpu' : 'wasm'} planned)` });
  markReady();  // release waiting queries so they report the error
}

// ---- queries ---------------------------------------------------------------

let encoderRuns = 0;  // reported with the mailbox's counts, for the debug hook
const mailbox = new QueryMailbox(runQuery, (q, err) => {
  post({ type: 'query-error', seq: q.seq, message: explain(err, 'searching').message });
});

async function textEmbedding(text) {
  let e = textCache.get(text);
  if (e) {
    textCache.delete(text);  // refresh its place in the LRU order
  } else {
    const ids = tokenizer.encode(text, model.manifest.contextLength);
    encoderRuns++;
    e = await textEncoder.embedText(ids);
  }
  textCache.set(text, e);
  if (textCache.size > TEXT_CACHE_SIZE) textCache.delete(textCache.keys().next().value);
  return e;
}

function loadVision() {
  if (!visionEncoder) {
    visionEncoder = (async () => {
      settle('Loading the image model for the first image query…');
      const r = await loadEncoder(ort, model, 'vision', backend, { core, onProgress: progress('vision-model', 'Image model') });
      if (r.note) notes.push(r.note);
      settle();
      return r.encoder;
    })();
    visionEncoder.catch(() => (visionEncoder = null));  // let a later image query retry
  }
  return visionEncoder;
}

async function imageEmbedding(q) {
  if (image && image.key === q.key) return image;
  const bytes = new Uint8Array(await q.blob.arrayBuffer());
  const cfg = model.manifest.image;  // size, resample filter, mean, std
  const [{ tensor, sha256 }, encoder] = await Promise.all([imageToTensor(core, bytes, q.mime, cfg), loadVision()]);
  encoderRuns++;
  const embedding = await encoder.embedImage(tensor, cfg.size);
  image = { key: q.key, embedding, sha256 };
  return image;
}

// Returns false when a newer query made this one moot before it was answered.
async function runQuery(q) {
  if (q.kind === 'none') {
    last = null;
    return true;
  }
  await ready;
  if (fatal) throw fatal;
  if (mailbox.superseded) return false;
  const t0 = performance.now();
  let embedding;
  let sha256 = '';
  if (q.kind === 'text') {
    embedding = await textEmbedding(q.text);
  } else if (q.kind === 'similar') {
    embedding = index.embedding(q.id);
    if (!embedding) throw new UserError('unknown-id', `No image with id “${q.id}” is in this index.`);
  } else {
    ({ embedding, sha256 } = await imageEmbedding(q));
  }
  if (mailbox.superseded) return false;
  last = { q, embedding, sha256, encodeMs: performance.now() - t0 };
  search(last, false);
  return true;
}

function rerunLast() {
  try {
    search(last, true);
  } catch {
    // the next query reports it
  }
}

function search({ q, embedding, sha256, encodeMs }, partial) {
  // The query image itself: by content hash for a photo, by id for "similar".
  const selfId = q.kind === 'similar' ? q.id : (sha256 && index.findBySha256(sha256)) || '';
  const t0 = performance.now();
  const hits = index.size === 0 ? [] : coreRefusal('search', (why) => `Search failed: ${why}`, () => index.search(embedding, {
    k: q.k,
    minScore: q.minScore,
    excludeId: q.excludeSelf ? selfId : '',
    binary: index.size >= BINARY_PASS_MIN_VECTORS && indexInfo.manifest.binaryCodes,
  }));
  post({
    type: 'results',
    seq: q.seq,
    kind: q.kind,
    text: q.kind === 'text' ? q.text : undefined,
    partial,
    hits,
    encodeMs,
    searchMs: performance.now() - t0,
    embedding,
    selfId,
    selfEmbedding: selfId ? index.embedding(selfId) : null,
    queryStats: { ...mailbox.stats, encoderRuns },
  });
}

self.onmessage = (e) => {
  const msg = e.data;
  if (msg.type === 'init' && !config) {
    config = msg.config;
    init().catch((err) => fail(err, 'loading'));
  } else if (msg.type === 'query') {
    mailbox.submit(msg);
  }
};
