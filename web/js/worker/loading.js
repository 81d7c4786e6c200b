// The worker's loading sequence, one stage per function, each moving the
// state machine (worker_state.js) and filling the session:
//
//   startCore -> openIndexAndModel -> pickBackend -> (loadTextSide || loadIndexShards)
//
// `session` holds what loading makes and queries use: config, core, ort,
// backend, model, tokenizer, textEncoder, index (the core's Index, which
// makes every index decision), indexInfo, tiers (the fetcher of rows for a
// tiered index, else null). A stage that throws fails the worker
// (search_worker.js). Where others extend it: which model serves an index
// (openModel), how shards arrive
// (loadIndexShards), what the text side needs (loadTextSide).

import buildInfo from '../build_info.js';
import { chooseBackend, backendLabel, loadOrt, requireWasmSimd } from './runtime.js';
import { loadModelManifest, loadServedModel, loadTokenizer, loadEncoder, modelLanguages } from './model_loader.js';
import { loadIndexManifest, loadIndex } from './index_loader.js';
import { Tiers } from './tiers.js';
import { cacheAvailable } from './fetch_cache.js';
import { UserError, coreRefusal } from './errors.js';
import { formatCount, formatBytes } from '../format.js';

export function progress(post, id, label) {
  return (loaded, total) => post({ type: 'progress', id, label, loaded, total });
}

export function postIndexInfo(session, post) {
  const { index, indexInfo, model, state } = session;
  post({
    type: 'index',
    base: indexInfo.base,
    count: index.size,
    totalCount: indexInfo.manifest.count,
    tiered: Boolean(session.tiers),
    loadedShards: state.shards.loaded,
    totalShards: indexInfo.manifest.shards.length,
    modelName: model.manifest.name,
    languages: modelLanguages(model.manifest),  // text towers, primary first
  });
}

function setBackend(session, post, name) {
  session.backend = name;
  post({ type: 'backend', name, label: backendLabel(name) });
}

// What loadEncoder says while it loads or runs an encoder: a note for the
// status line, and the backend when an encoder moved from WebGPU to
// WebAssembly (at load or later, at run time).
export function encoderNotes(session, post) {
  return (message, backend) => {
    session.state.note(message);
    session.state.post();  // a fallback during a query shows at once
    if (backend && backend !== session.backend) setBackend(session, post, backend);
  };
}

async function startCore(session) {
  const { config, state } = session;
  requireWasmSimd();
  state.start();
  const { default: createClipCore } = await import(new URL('core/clipsearch_core.mjs', config.appBase).href);
  session.core = await createClipCore();
  if (!config.secure) {
    state.note('This page is not a secure context (plain HTTP from another host), so WebGPU and offline caching are off; serve it over HTTPS or from localhost to turn them on.');
  } else if (!cacheAvailable()) {
    state.note('Cache Storage is unavailable here, so the model and index will download again next visit.');
  }
}

// The model: ?model= when given; else the one the index names; and when that
// cannot be reached, a model this site serves with the same fingerprint (the
// same weights, so the same embeddings), which the status then names.
async function openModel(session, im, indexBase) {
  const { config, core, state } = session;
  if (config.model) return loadModelManifest(core, config.model);
  const named = im.modelLocation ? new URL(im.modelLocation, indexBase).href : '';
  try {
    if (!named) {
      throw new UserError('model-missing', 'The index manifest names no model location; add ?model=<model folder or URL> to the page address.');
    }
    return await loadModelManifest(core, named);
  } catch (err) {
    if (!(err instanceof UserError && err.kind === 'model-missing')) throw err;
    const served = await loadServedModel(core, config.appBase, im.modelFingerprint);
    if (!served) throw err;
    state.note(`The index's model “${im.modelName}” could not be loaded from ${named || 'the index manifest'}; ` +
      `using this site's own copy with the same fingerprint, ${served.base}.`);
    return served;
  }
}

async function openIndexAndModel(session) {
  const { config, core, state } = session;
  state.step('Reading the index and model manifests…');
  const indexInfo = (session.indexInfo = await loadIndexManifest(core, config.index));
  const im = indexInfo.manifest;
  const model = (session.model = await openModel(session, im, indexInfo.base));
  // The core's one model/index check: the model's fingerprint or one it
  // accepts (indexes from before fingerprint format 2), and its dim.
  coreRefusal('model-mismatch',
    (why) => `${why} Load the matching model with ?model=, or rebuild the index with this one.`,
    () => core.checkModelForIndex(model.json, indexInfo.text, `the page's model from ${model.base}`));
  if (model.fromCache || indexInfo.fromCache) state.note('Offline: using the cached model and index.');
  state.indexPlanned({ shards: im.shards.length, images: im.count });
}

async function pickBackend(session, post) {
  const chosen = await chooseBackend(session.config.backend);
  session.halfPrecision = chosen.halfPrecision;
  chosen.notes.forEach((n) => session.state.note(n));
  setBackend(session, post, chosen.name);
}

async function loadTextSide(session, post) {
  const { config, core, model, state } = session;
  // The runtime, the tokenizer and the encoder's file download side by
  // side; only the encoder's session waits for the runtime.
  const ort = loadOrt(session.backend, { appBase: config.appBase, buildInfo, core, onProgress: progress(post, 'runtime', 'Model runtime') });
  const [tokenizer, r] = await Promise.all([
    loadTokenizer(core, model),
    loadEncoder(ort, model, 'text', session.backend, {
      core, halfPrecision: session.halfPrecision, onProgress: progress(post, 'text-model', 'Text model'), onNote: encoderNotes(session, post),
    }),
    ort,
  ]);
  session.ort = await ort;
  session.tokenizer = tokenizer;
  session.textEncoder = r.encoder;
  state.textLoaded();
}

// Whole shards or heads, as the core's loading plan says, each searchable
// as it arrives (`onShard`); damaged ones are skipped, and the core's damage
// report shown once all were tried.
async function loadIndexShards(session, post, onShard) {
  const { core, index, indexInfo, state, config } = session;
  await loadIndex(core, indexInfo, {
    tiers: config.tiers || 'auto',
    deviceMemoryGb: config.deviceMemory,
    onProgress: progress(post, 'index', 'Index'),
    onMode: (mode, plan) => {
      session.tiers = mode === 'tiered' ? new Tiers(core, index, indexInfo) : null;
      post({ type: 'index-mode', mode, downloadBytes: plan.downloadBytes });
    },
    note: (text) => state.note(text),
    onShard: () => {
      state.shardLoaded(index.size);
      postIndexInfo(session, post);
      onShard();
    },
  });
  state.shardsFinished(index.damageReport);
}

// The whole sequence; resolves once every shard was tried. `onShard` runs
// after each shard is added (queries re-run on the larger index).
export async function load(session, post, onShard) {
  await startCore(session);
  await openIndexAndModel(session);
  await pickBackend(session, post);
  const { model, indexInfo, state } = session;
  session.index = indexInfo.index;
  postIndexInfo(session, post);
  const im = indexInfo.manifest;
  state.step(`Loading model “${model.manifest.name}” and ${formatCount(im.count)} images…`);
  await Promise.all([loadTextSide(session, post), loadIndexShards(session, post, onShard)]);
}
