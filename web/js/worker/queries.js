// Query handling in the worker: the one-slot mailbox (query_mailbox.js), a
// query's terms (expression.js: the base photo or "Similar", then the search
// box's expression), one embedder per kind of term, the core's search, the
// match verdict (match.js) and the answer to the page. Queries wait until the
// worker is queryable (worker_state.js) and report its fatal error if it
// failed. Zero-shot labels ("What is this?") run beside them (labels.js).
//
// A new kind of term is one more entry in `embedders`: a function
// (term, query) -> Float32Array that runs the encoders it needs. A text
// term's language picks the text tower that reads it (`lang` on the term).

import { loadEncoder, loadTokenizer, modelLanguages, LANGUAGE_NAMES } from './model_loader.js';
import { imageToTensor } from './image_decode.js';
import { QueryMailbox } from './query_mailbox.js';
import { UserError, explain, coreRefusal } from './errors.js';
import { progress, encoderNotes } from './loading.js';
import { queryTerms, embedTerms, imageModality, selfIdOf, shareableExpression } from './expression.js';
import { MatchJudge } from './match.js';
import { Labeller } from './labels.js';

const TEXT_CACHE_SIZE = 128;
// While a tiered index's heads arrive, the last query re-runs at most this
// often (each re-run may fetch rows); whole shards re-run on each arrival.
const TIERED_RERUN_MS = 400;

export class Queries {
  constructor(session, post) {
    this.session = session;
    this.post = post;
    this.textCache = new Map();  // text -> embedding, LRU
    this.image = null;           // {key, embedding, sha256} of the current image query
    this.last = null;            // last answered query, re-run as more shards arrive
    this.vision = null;          // Promise of the vision encoder, made on the first image query
    this.visionLoaded = null;    // that encoder once loaded (for encoderPrecisions)
    this.towers = new Map();     // language -> Promise of {tokenizer, encoder, contextLength}: other text towers
    this.encoderRuns = 0;        // reported with the mailbox's counts, for the debug hook
    this.encoding = Promise.resolve();  // the last encoder run (exclusive())
    this.rerun = { running: false, again: false, at: 0, timer: null };
    this.mailbox = new QueryMailbox((q) => this.run(q), (q, err) => {
      post({ type: 'query-error', seq: q.seq, message: explain(err, 'searching').message });
    });
    this.embedders = {
      text: async (term, q) => {
        const r = await this.textEmbedding(term.text, q.lang);
        term.lang = r.lang;
        return r.embedding;
      },
      photo: (term, q) => this.imageEmbedding(q, () => this.mailbox.superseded).then((r) => r.embedding),
      // "Similar" carries the row of the hit it came from (a hint: a tiered
      // index finds other ids by fetching keys and records).
      id: async (term, q) => (await this.storedEmbedding(term.text, q.kind === 'similar' && q.id === term.text ? q.at : null)).embedding,
      url: () => {
        throw new UserError('query', 'Query: an image URL cannot be a term here; drop, paste or choose the image instead.');
      },
    };
    this.match = new MatchJudge(session);
    this.labeller = new Labeller(session);
  }

  // Once every shard is in: the noise band the match verdict needs, then the
  // last answer again, now with its verdict.
  async calibrate() {
    const ms = await this.match.calibrate(async (text) => (await this.textEmbedding(text, 'auto', false)).embedding,
      () => this.idle());
    this.post({ type: 'calibrated', ms });
    this.rerunLast();
  }

  // Runs `run` (an encoder run) after those already started: queries,
  // labels and calibration share the encoders, and ONNX Runtime Web's WebGPU
  // backend must not run two sessions at once (it gave a dropped photo a
  // wrong embedding when a calibration caption ran beside it).
  exclusive(run) {
    const done = this.encoding.then(run, run);
    this.encoding = done.catch(() => {});
    return done;
  }

  // Resolves once no query runs or waits (polled: queries are rare next to 20 ms).
  async idle() {
    while (this.mailbox.busy || this.mailbox.pending) await new Promise((r) => setTimeout(r, 20));
  }

  submit(query) {
    this.mailbox.submit(query);
  }

  // Returns false when a newer query made this one moot before it was answered.
  async run(q) {
    if (q.kind === 'none') {
      this.last = null;
      return true;
    }
    const { state } = this.session;
    await state.queryable;
    if (state.fatal) throw state.fatal;
    if (this.mailbox.superseded) return false;
    if (!['text', 'image', 'similar'].includes(q.kind)) throw new UserError('internal', `Unknown query kind “${q.kind}”.`);
    const terms = queryTerms(this.session.core, q);
    const t0 = performance.now();
    const embedding = await embedTerms(this.session.core, terms, this.session.index.dim || this.session.model.manifest.embeddingDim,
      (term) => this.embedders[term.kind](term, q));
    if (this.mailbox.superseded) return false;
    const sha256 = q.kind === 'image' ? this.image?.sha256 || '' : '';
    const lang = terms.find((t) => t.lang)?.lang;  // the text tower that read the (first) text term
    this.last = { q, terms, embedding, sha256, lang, encodeMs: performance.now() - t0 };
    return this.search(this.last, false);
  }

  // After a shard arrives: the last answer again, over the larger index.
  // One at a time; with tiers, at most every TIERED_RERUN_MS (and once more
  // when the last head is in).
  rerunLast() {
    const r = this.rerun;
    if (!this.last) return;
    if (r.running) {
      r.again = true;
      return;
    }
    const { state, tiers } = this.session;
    const wait = tiers && !state.shards.finished ? r.at + TIERED_RERUN_MS - performance.now() : 0;
    if (wait > 0) {
      if (!r.timer) r.timer = setTimeout(() => { r.timer = null; this.rerunLast(); }, wait);
      return;
    }
    r.running = true;
    r.at = performance.now();
    const last = this.last;
    this.search(last, true).catch(() => {}).finally(() => {  // the next query reports errors
      r.running = false;
      if (r.again) {
        r.again = false;
        this.rerunLast();
      }
    });
  }

  // ---- embedders -----------------------------------------------------------

  // The query's language picks the text tower (the core's rule: "auto"
  // sends a text with Chinese characters to a "zh" tower); the primary one
  // loaded with the page, the others on their first query. `cache`: keep it
  // among the recent texts (the calibration captions are embedded once and
  // need not crowd the user's queries out).
  async textEmbedding(text, requested = 'auto', cache = true) {
    const { core, model } = this.session;
    const languages = modelLanguages(model.manifest);
    const lang = coreRefusal('bad-query', (why) => why, () => core.pickQueryLanguage(text, requested || 'auto', languages));
    const key = `${lang}\u0000${text}`;
    let embedding = this.textCache.get(key);
    if (embedding) {
      this.textCache.delete(key);  // refresh its place in the LRU order
    } else {
      const tower = lang === languages[0] ? this.primaryTower() : await this.tower(lang);
      const ids = tower.tokenizer.encode(text, tower.contextLength);
      this.encoderRuns++;
      embedding = await this.exclusive(() => tower.encoder.embedText(ids));
    }
    if (!cache) return { embedding, lang };
    this.textCache.set(key, embedding);
    if (this.textCache.size > TEXT_CACHE_SIZE) this.textCache.delete(this.textCache.keys().next().value);
    return { embedding, lang };
  }

  primaryTower() {
    const { tokenizer, textEncoder, model } = this.session;
    return { tokenizer, encoder: textEncoder, contextLength: model.manifest.contextLength };
  }

  tower(lang) {
    if (!this.towers.has(lang)) {
      const { core, model, ort, backend, state } = this.session;
      const spec = model.manifest.textTowers.find((t) => t.language === lang);
      const name = LANGUAGE_NAMES[lang] || lang;
      const loading = (async () => {
        state.activity(`Loading the ${name} text model for the first ${name} query…`);
        try {
          const tokenizer = await loadTokenizer(core, model, spec);
          const r = await loadEncoder(ort, model, `text:${lang}`, backend, {
            core, onProgress: progress(this.post, `text-model-${lang}`, `${name} text model`), spec: spec.text,
            halfPrecision: this.session.halfPrecision, onNote: encoderNotes(this.session, this.post),
          });
          return { tokenizer, encoder: r.encoder, contextLength: spec.contextLength };
        } finally {
          state.activity('');
        }
      })();
      loading.catch(() => this.towers.delete(lang));  // let a later query retry
      this.towers.set(lang, loading);
    }
    return this.towers.get(lang);
  }

  // The stored vector of an id ("Similar", a similar: term, "What is
  // this?" on a result): its row from the page's hit when given and still
  // holding that id, else found by the core; fetched when a tiered index
  // lacks it.
  async storedEmbedding(id, hint = null) {
    const at = await this.locateId(id, hint);
    if (!at) throw new UserError('unknown-id', `No image with id “${id}” is in this index.`);
    const { index, tiers } = this.session;
    if (!index.hasVector(at.shard, at.row)) await tiers.vectors([index.vectorSpan(at.shard, at.row)]);
    return { embedding: index.embeddingAt(at.shard, at.row), at };
  }

  async locateId(id, hint) {
    const { index, tiers } = this.session;
    if (hint && index.record(hint.shard, hint.row)?.id === id) return hint;
    const l = index.locateId(id);
    if (l.found) return { shard: l.shard, row: l.row };
    return tiers ? tiers.locate(() => index.locateId(id)) : null;
  }

  // The indexed copy of a dropped photo, by the SHA-256 of its bytes.
  async locateContent(sha256) {
    const { index, tiers } = this.session;
    const l = index.locateContent(sha256);
    if (l.found) return { shard: l.shard, row: l.row };
    return tiers ? tiers.locate(() => index.locateContent(sha256)) : null;
  }

  // `stale()`: true once a newer query made this one moot. Checked after
  // decoding (a large photo takes a while), so its encoder run is not wasted:
  // the mailbox counts the throw as a query given up.
  async imageEmbedding(q, stale = () => false) {
    if (this.image && this.image.key === q.key) return this.image;
    const { core, model } = this.session;
    const bytes = new Uint8Array(await q.blob.arrayBuffer());
    const cfg = model.manifest.image;  // size, resample filter, mean, std
    const [{ tensor, sha256 }, encoder] = await Promise.all([imageToTensor(core, bytes, q.mime, cfg), this.visionEncoder()]);
    if (stale()) throw new UserError('superseded', 'A newer query replaced this photo before it was encoded.');
    this.encoderRuns++;
    const embedding = await this.exclusive(() => encoder.embedImage(tensor, cfg.size));
    this.image = { key: q.key, embedding, sha256 };
    return this.image;
  }

  visionEncoder() {
    if (!this.vision) {
      const { core, model, ort, backend, state } = this.session;
      this.vision = (async () => {
        state.activity('Loading the image model for the first image query…');
        try {
          const r = await loadEncoder(ort, model, 'vision', backend, {
            core, halfPrecision: this.session.halfPrecision, onProgress: progress(this.post, 'vision-model', 'Image model'),
            onNote: encoderNotes(this.session, this.post),
          });
          this.visionLoaded = r.encoder;
          return r.encoder;
        } finally {
          state.activity('');
        }
      })();
      this.vision.catch(() => (this.vision = null));  // let a later image query retry
    }
    return this.vision;
  }

  // ---- "What is this?" -----------------------------------------------------

  // target: {kind: 'photo', key, blob, mime} (the dropped photo) or {kind: 'id', id}.
  async labels({ target, labels }) {
    const { state } = this.session;
    await state.queryable;
    if (state.fatal) throw state.fatal;
    const image = target.kind === 'photo' ? (await this.imageEmbedding(target)).embedding : (await this.storedEmbedding(target.id)).embedding;
    return this.labeller.label(labels || '', image, async (text) => (await this.textEmbedding(text)).embedding);
  }

  // ---- search and answer ---------------------------------------------------

  // The core's search, in its steps: plan (first pass), the candidates'
  // int8 rows a tiered index lacks, exact scores, the records of the hits.
  // For whole shards the fetch steps have nothing to do.
  async search({ q, terms, embedding, sha256, lang, encodeMs }, rerun) {
    const { core, index, tiers, state } = this.session;
    const t0 = performance.now();
    // The query image itself: the photo's indexed copy (by content), or the
    // first positive similar: id (selfIdOf).
    const photoAt = sha256 ? await this.locateContent(sha256) : null;
    const photoSelfId = (photoAt && index.record(photoAt.shard, photoAt.row)?.id) || '';
    const selfId = selfIdOf(terms, photoSelfId);
    const self = !selfId ? null : selfId === photoSelfId ? photoAt
      : await this.locateId(selfId, q.kind === 'similar' && q.id === selfId ? q.at : null);
    if (self && tiers && !index.hasVector(self.shard, self.row)) await tiers.vectors([index.vectorSpan(self.shard, self.row)]);
    let hits = [];
    let best;
    let unscored = 0;
    const steps = {};  // milliseconds per step, for the debug hook and benchmarks
    const step = (name, since) => { steps[name] = performance.now() - since; return performance.now(); };
    if (index.size > 0) {
      let t = performance.now();
      // No threshold here: the verdict is on the best result, whether or not
      // the threshold keeps it; the core's rule (score >= threshold, in
      // float) is applied below, which keeps the same hits.
      const plan = coreRefusal('search', (why) => `Search failed: ${why}`, () => index.plan(embedding, {
        k: q.k,
        excludeAt: q.excludeSelf && self ? self : undefined,
      }));
      t = step('firstPass', t);
      try {
        const missing = index.missingVectors(plan);
        // The hits are among these candidates, so their records ride in the
        // same requests as the rows (about 70 bytes each beside 512): one
        // round of requests per query, not two.
        if (missing.length) await tiers.vectorsAndRecords(missing, index.missingRecords(missing));
        t = step('fetchRows', t);
        ({ hits, unscored } = index.finish(plan));
        t = step('score', t);
      } finally {
        plan.delete();
      }
      best = hits[0];
      if (q.minScore > -1) hits = hits.filter((h) => h.score >= Math.fround(q.minScore));
      const records = index.missingRecords(hits);
      if (records.length) await tiers.records(records);
      step('fetchRecords', t);
      hits = hits.map((h) => ({ ...index.record(h.shard, h.row), score: h.score, shard: h.shard, row: h.row }));
    }
    const { searchable, images, finished } = state.shards;
    const match = rerun && !finished ? null : this.match.judge(embedding, best?.score, terms, imageModality(terms));
    this.post({
      type: 'results',
      seq: q.seq,
      kind: q.kind,
      text: q.kind === 'text' ? q.text : undefined,
      lang,  // the text tower that read a text query
      terms: terms.map(({ source, kind, text, weight }) => ({ source, kind, text, weight })),
      expression: shareableExpression(core, terms, photoSelfId),
      match,
      unknownWords: this.match.unknownWords(terms),
      rerun,
      // Partial: the index (or its first stage) is still arriving.
      partial: !finished && searchable < images ? { searched: index.size, total: images } : null,
      unscored,
      hits,
      encodeMs,
      searchMs: performance.now() - t0,
      steps,
      embedding,
      selfId: self ? selfId : '',
      selfEmbedding: self && index.hasVector(self.shard, self.row) ? index.embeddingAt(self.shard, self.row) : null,
      queryStats: { ...this.mailbox.stats, encoderRuns: this.encoderRuns },
      parts: tiers ? { ...tiers.stats } : null,
      encoders: this.encoderPrecisions(),
    });
    tiers?.flushCache();  // the parts this query fetched, kept for a later visit
    return true;
  }

  // The file each loaded encoder runs ('fp32' | 'fp16' | 'int8': model.json's
  // choice for the backend, WebAssembly's after a fallback), so an answer
  // can be compared with the CLI's embedding of the same file.
  encoderPrecisions() {
    const out = { text: this.session.textEncoder?.precision };
    if (this.visionLoaded) out.vision = this.visionLoaded.precision;
    return out;
  }
}
