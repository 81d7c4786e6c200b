// Page entry: wires the controls, the URL and the worker together and
// renders what the worker answers. All heavy work (model, index, search)
// happens in the worker; this thread only renders.

import { SearchClient } from './search_client.js';
import { ResultsView } from './results_view.js';
import { StatusView } from './status_view.js';
import { attachImageIntake } from './image_intake.js';
import { readUrlState, writeUrlState, parseTopK, DEFAULT_K } from './url_state.js';
import { Thresholds, DEFAULT_MIN, parseMinScore, toPercentInput } from './thresholds.js';
import { formatCount } from './format.js';
import { attachQueryInput } from './query_input.js';
import { UI_LANGUAGES, initialLanguage, rememberLanguage, setLanguage, t } from './i18n.js';
import { DuplicatesView } from './duplicates_view.js';
import { TermChips } from './term_chips.js';
import { MatchView } from './match_view.js';
import { LabelsView } from './labels_view.js';

const TYPING_DEBOUNCE_MS = 150;

const $ = (id) => document.getElementById(id);
const ui = {
  query: $('query'),
  form: $('search-form'),
  dropZone: $('drop-zone'),
  fileInput: $('image-input'),
  topK: $('top-k'),
  minScore: $('min-score'),
  minKind: $('min-kind'),
  excludeSelf: $('exclude-self'),
  chip: $('query-chip'),
  chipImg: $('query-chip-img'),
  chipText: $('query-chip-text'),
  chipClear: $('query-chip-clear'),
  chipWeight: $('query-chip-weight'),
  chipWhat: $('query-chip-what'),
  uiLanguage: $('ui-language'),
  queryLang: $('query-lang'),
  queryLangControl: $('query-lang-control'),
  results: $('results'),
  dupButton: $('duplicates-button'),
  dupThreshold: $('dup-threshold'),
  dupClose: $('dup-close'),
};

const status = new StatusView({ status: $('status'), backend: $('backend'), progress: $('progress'), indexInfo: $('index-info') });
const results = new ResultsView($('result-list'), $('empty'), $('announce'), $('partial'));
const thresholds = new Thresholds();
const dupView = new DuplicatesView({
  section: $('duplicates'), list: $('dup-list'), summary: $('dup-summary'), progress: $('dup-progress'), announce: $('announce'),
});
const matchView = new MatchView($('match'));
const termChips = new TermChips($('terms'), { onWeight: editTerm, onRemove: (i) => editTerm(i, null) });
let modelName = '';
const url = readUrlState(location.href);

// Test and debugging hook: the last answer (with the query embedding), timings.
// firstResultMs: the first rendered result; firstCompleteResultMs: the first
// over the whole index (not partial).
const debug = (window.__clipsearch = { ready: false, seq: 0, last: null, lastError: null, firstResultMs: null, firstCompleteResultMs: null, latenciesMs: [] });

let indexBase = new URL(url.index, location.href).href;
// {kind: 'text', text} | {kind: 'image', blob, name, key, text, baseWeight} | {kind: 'similar', id, caption, text, baseWeight}:
// a photo or "Similar" base, combined with the box's expression when that starts with + or - ("+ at night").
let active = null;
let imageKey = 0;          // identifies the current image so the worker reuses its embedding
let chipObjectUrl = null;
const sentAt = new Map();  // seq -> performance.now() at send
let baseNotes = [];        // lasting remarks from loading (fallbacks, missing features)
let loadState = 'loading';
let loadMessage = 'Starting…';
let queryErrorShown = false;
let dupThreshold = url.dup;  // null: the core's default
let dupGroups = null;        // the last groups shown, re-rendered when the language changes

const thresholdKind = (q) => (q && q.kind !== 'text' ? 'image' : 'text');

function describe(q) {
  if (q.kind === 'text') return t('describeText', q.text);
  const base = q.kind === 'image' ? t('describeImage', q.name) : t('describeSimilar', q.caption);
  return q.text ? t('describeCombined', base, q.text) : base;
}

const hasBase = () => !!active && active.kind !== 'text';

function showThreshold() {
  const kind = thresholdKind(active);
  ui.minKind.textContent = `(${t(kind === 'text' ? 'kindText' : 'kindImage')})`;
  if (document.activeElement !== ui.minScore) ui.minScore.value = toPercentInput(thresholds.get(kind));
}

// The URL keeps the search: typed text as it is; a plain "Similar" as
// `similar`; a photo that is indexed, or any combination, as the expression
// the worker wrote with the core (`answerExpression`, once it answered). A
// photo that is not indexed cannot live in a URL.
function syncUrl(answerExpression) {
  const kind = thresholdKind(active);
  const min = thresholds.get(kind);
  let q = '';
  let similar = '';
  if (active?.kind === 'text') q = active.text;
  else if (active?.kind === 'similar' && !active.text && active.baseWeight === 1) similar = active.id;
  else if (answerExpression) q = answerExpression;
  writeUrlState({ q, similar, k: currentK(), min: min === DEFAULT_MIN[kind] ? null : min, lang: ui.queryLang.value });
}

function currentK() {
  return parseTopK(ui.topK.value) ?? DEFAULT_K;
}

function setChip(text, imgSrc) {
  if (chipObjectUrl) URL.revokeObjectURL(chipObjectUrl);
  chipObjectUrl = imgSrc && imgSrc.startsWith('blob:') ? imgSrc : null;
  ui.chip.hidden = !text;
  ui.chipText.textContent = text || '';
  ui.chipWeight.value = '1';
  if (imgSrc) ui.chipImg.src = imgSrc;
  else ui.chipImg.removeAttribute('src');
  // With a base, the box offers to combine ("+ at night").
  ui.query.dataset.i18nPlaceholder = text ? 'combineHint' : 'queryPlaceholder';
  ui.query.placeholder = t(ui.query.dataset.i18nPlaceholder);
  if (!text) termChips.clear();
}

function run() {
  showThreshold();
  syncUrl();
  if (!active) {
    debug.seq = client.query({ kind: 'none' });  // supersedes anything in flight
    debug.last = { seq: debug.seq, kind: 'none', hits: [] };
    results.clear();
    return;
  }
  const common = { k: currentK(), minScore: thresholds.get(thresholdKind(active)) ?? -1, excludeSelf: ui.excludeSelf.checked };
  let seq;
  const base = { text: active.text || '', baseWeight: active.baseWeight ?? 1, lang: ui.queryLang.value };
  if (active.kind === 'text') seq = client.query({ kind: 'text', text: active.text, lang: ui.queryLang.value, ...common });
  else if (active.kind === 'similar') seq = client.query({ kind: 'similar', id: active.id, at: active.at, ...base, ...common });
  else seq = client.query({ kind: 'image', key: active.key, blob: active.blob, mime: active.blob.type, name: active.name, ...base, ...common });
  sentAt.set(seq, performance.now());
  debug.seq = seq;
}

// The box's text: combined with the photo or "Similar" base when it starts
// with + or - (or is empty), else a query of its own that replaces the base.
function setTextQuery(text) {
  const typed = text.trim();
  if (hasBase() && (typed === '' || /^[+-]/.test(typed))) {
    active = { ...active, text: typed };
    run();
    return;
  }
  active = typed ? { kind: 'text', text: typed } : null;
  setChip(null);
  run();
}

// A chip's weight changed (`weight`) or the chip was removed (null): the
// worker writes the box's new text with the core, which then runs as typed.
function editTerm(index, weight) {
  client.request('edit-box', { text: ui.query.value, index, weight, combine: hasBase() }).then((r) => {
    ui.query.value = r.text;
    setTextQuery(r.text);
  }, (err) => {
    queryErrorShown = true;
    status.set('error', err.message, baseNotes);
  });
}

function setImageQuery(blob, how) {
  const name = blob.name || t(how === 'paste' ? 'pastedImage' : 'image');
  active = { kind: 'image', blob, name, key: ++imageKey, text: '', baseWeight: 1 };
  ui.query.value = '';
  setChip(t('chipImage', name), URL.createObjectURL(blob));
  run();
}

function setSimilarQuery(hit) {
  active = { kind: 'similar', id: hit.id, at: { shard: hit.shard, row: hit.row }, caption: hit.caption || hit.id, text: '', baseWeight: 1 };
  ui.query.value = '';
  setChip(t('chipSimilar', active.caption), hit.thumb ? new URL(hit.thumb, indexBase).href : null);
  run();
  ui.query.focus({ preventScroll: true });
}

// ---- the Duplicates view --------------------------------------------------

function runDuplicates() {
  debug.duplicates = null;
  debug.duplicatesProgress = [];
  client.duplicates(dupThreshold);
}

function openDuplicates() {
  ui.results.hidden = true;
  dupView.show(true);
  writeUrlState({ view: 'duplicates', dup: dupThreshold });
  runDuplicates();
  $('duplicates').focus({ preventScroll: true });
}

function closeDuplicates() {
  dupView.show(false);
  ui.results.hidden = false;
  writeUrlState({ view: '', dup: null });
  ui.dupButton.focus();
}

function showLoadStatus() {
  queryErrorShown = false;
  status.set(loadState, loadMessage, baseNotes);
}

const client = new SearchClient(new URL('./worker/search_worker.js', import.meta.url), {
  status(msg) {
    loadState = msg.state;
    loadMessage = msg.message;
    if (msg.notes) baseNotes = msg.notes;
    debug.ready = msg.state === 'ready';
    showLoadStatus();
  },
  backend(msg) {
    status.setBackend(msg.label);
  },
  progress(msg) {
    if (msg.done) status.done(msg.id);
    else status.progress(msg.id, msg.label, msg.loaded, msg.total);
  },
  calibrated(msg) {
    debug.calibratedMs = msg.ms;
  },
  index(msg) {
    indexBase = msg.base;
    modelName = msg.modelName;
    // How much of the index is searchable, while it arrives.
    const images = msg.count < msg.totalCount ? `${formatCount(msg.count)} of ${formatCount(msg.totalCount)} images searchable` : `${formatCount(msg.count)} images`;
    const loading = msg.loadedShards < msg.totalShards ? ` (${msg.loadedShards} of ${msg.totalShards} shards${msg.tiered ? ', first stage' : ''})` : '';
    status.setIndexInfo(`${images}${loading}${msg.tiered ? ' · rows fetched as needed' : ''} · model ${msg.modelName}`);
    // The query-language switch, when the model reads more than one language.
    const langs = msg.languages || [];
    ui.queryLangControl.hidden = langs.length < 2;
    for (const option of ui.queryLang.options) option.hidden = option.value !== 'auto' && !langs.includes(option.value);
  },
  results(msg) {
    if (!active) return;
    const now = performance.now();
    const t0 = sentAt.get(msg.seq);
    if (t0 !== undefined && !msg.rerun) {
      debug.latenciesMs.push({ kind: msg.kind, ms: now - t0, encodeMs: msg.encodeMs, searchMs: msg.searchMs });
      sentAt.delete(msg.seq);
    }
    if (debug.firstResultMs === null && msg.hits.length) debug.firstResultMs = now;
    if (debug.firstCompleteResultMs === null && msg.hits.length && !msg.partial) debug.firstCompleteResultMs = now;
    debug.last = msg;
    results.render(msg.hits, { ...renderOptions(), partial: msg.partial });
    termChips.render(msg.terms, hasBase());
    matchView.show(msg.match, msg.unknownWords, modelName);
    if (!msg.rerun && (active.kind === 'image' || active.text || active.baseWeight !== 1)) syncUrl(msg.expression);
    if (queryErrorShown) showLoadStatus();  // the failed query is over
  },
  'duplicates-progress'(msg) {
    debug.duplicatesProgress.push(msg.done);
    if (document.activeElement !== ui.dupThreshold) ui.dupThreshold.value = toPercentInput(msg.threshold);
    dupView.working(msg.done, msg.total, msg.threshold);
  },
  duplicates(msg) {
    debug.duplicates = msg;
    dupGroups = msg;
    dupView.render(msg.groups, { indexBase, threshold: msg.threshold, total: msg.total });
  },
  'duplicates-error'(msg) {
    debug.duplicates = { error: msg.message };
    dupView.failed(msg.message);
  },
  'query-error'(msg) {
    debug.lastError = msg;
    queryErrorShown = true;
    status.set('error', msg.message, baseNotes);
    results.clear();
    matchView.clear();
  },
});

// "What is this?" on the photo or "Similar" base, or on a result.
const labelsView = new LabelsView({
  panel: $('labels-panel'), title: $('labels-title'), input: $('labels-input'), button: $('labels-run'),
  list: $('labels-list'), error: $('labels-error'), close: $('labels-close'),
}, (target, typed) => {
  const { kind, key, blob, mime, id } = target;
  return client.request('labels', { target: kind === 'photo' ? { kind, key, blob, mime } : { kind, id }, labels: typed });
});

function renderOptions() {
  return {
    indexBase,
    describe: describe(active),
    onSimilar: setSimilarQuery,
    onLabels: (hit) => labelsView.open({ kind: 'id', id: hit.id, caption: hit.caption || hit.id }),
  };
}

// Controls
// Page language: the reader's, switchable; results re-render in it.
for (const [code, name] of Object.entries(UI_LANGUAGES)) ui.uiLanguage.append(new Option(name, code));
ui.uiLanguage.value = setLanguage(initialLanguage(window.localStorage, navigator.languages));
ui.uiLanguage.addEventListener('change', () => {
  rememberLanguage(window.localStorage, setLanguage(ui.uiLanguage.value));
  showThreshold();
  if (debug.last?.hits?.length && active) {
    results.render(debug.last.hits, renderOptions());
    termChips.render(debug.last.terms, hasBase());
    matchView.show(debug.last.match, debug.last.unknownWords, modelName);
  }
  if (dupGroups) dupView.render(dupGroups.groups, { indexBase, threshold: dupGroups.threshold, total: dupGroups.total });
});
ui.dupButton.addEventListener('click', openDuplicates);
ui.dupClose.addEventListener('click', closeDuplicates);
function setDupThreshold() {
  const v = parseMinScore(ui.dupThreshold.value);
  if (v === null && ui.dupThreshold.value.trim() !== '') return;  // not a number
  if (v === dupThreshold && debug.duplicates) return;
  dupThreshold = v;
  writeUrlState({ dup: dupThreshold });
  runDuplicates();
}
ui.dupThreshold.addEventListener('change', setDupThreshold);
ui.dupThreshold.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') setDupThreshold();
});
$('duplicates').addEventListener('keydown', (e) => {
  if (e.key === 'Escape') closeDuplicates();
});
debug.queriesSent = 0;  // text queries the box sent (tests check none fire mid-composition)
attachQueryInput({
  input: ui.query,
  form: ui.form,
  debounceMs: TYPING_DEBOUNCE_MS,
  onQuery: (text) => {
    debug.queriesSent++;
    setTextQuery(text);
  },
});
ui.topK.addEventListener('input', () => {
  if (parseTopK(ui.topK.value) !== null) run();
});
ui.minScore.addEventListener('input', () => {
  const v = parseMinScore(ui.minScore.value);
  if (v === null && ui.minScore.value.trim() !== '') return;  // half-typed
  thresholds.set(thresholdKind(active), v);
  run();
});
ui.minScore.addEventListener('change', showThreshold);
ui.excludeSelf.addEventListener('change', run);
ui.queryLang.addEventListener('change', run);
ui.chipClear.addEventListener('click', () => {
  const typed = ui.query.value.trim();
  active = typed ? { kind: 'text', text: typed } : null;
  setChip(null);
  run();
  ui.query.focus();
});
ui.chipWeight.addEventListener('change', () => {
  const w = Number(ui.chipWeight.value);
  if (!hasBase() || !Number.isFinite(w) || w < 0.001 || w > 1000) return;
  active = { ...active, baseWeight: w };
  run();
});
ui.chipWhat.addEventListener('click', () => {
  if (active?.kind === 'image') labelsView.open({ kind: 'photo', key: active.key, blob: active.blob, mime: active.blob.type, name: active.name });
  else if (active?.kind === 'similar') labelsView.open({ kind: 'id', id: active.id, caption: active.caption });
});
document.addEventListener('keydown', (e) => {
  if (e.key === '/' && document.activeElement !== ui.query && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName)) {
    e.preventDefault();
    ui.query.focus();
  }
});

attachImageIntake({
  dropZone: ui.dropZone,
  fileInput: ui.fileInput,
  onImage: setImageQuery,
  onReject: (message) => {
    queryErrorShown = true;
    status.set('error', message, baseNotes);
  },
});

// Start: restore the URL's search, then load.
ui.topK.value = String(url.k);
ui.queryLang.value = [...ui.queryLang.options].some((o) => o.value === url.lang) ? url.lang : 'auto';
if (url.similar) {
  thresholds.set('image', url.min);
  active = { kind: 'similar', id: url.similar, caption: url.similar, text: '', baseWeight: 1 };
  setChip(t('chipSimilar', url.similar));
} else {
  thresholds.set('text', url.min);
  if (url.q) {
    ui.query.value = url.q;
    active = { kind: 'text', text: url.q.trim() };
  }
}
showThreshold();

client.init({
  index: new URL(url.index, location.href).href,
  model: url.model ? new URL(url.model, location.href).href : '',
  backend: url.backend,
  tiers: url.tiers,
  appBase: new URL('..', import.meta.url).href,
  // Facts the worker cannot see itself (tests may override them on the page).
  deviceMemory: navigator.deviceMemory ?? null,
  secure: window.isSecureContext,
});
if (active) run();
if (url.view === 'duplicates') openDuplicates();

if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register(new URL('../sw.js', import.meta.url), { scope: new URL('..', import.meta.url).pathname }).catch(() => {
    // Offline page caching is a bonus; the search works without it.
  });
}
