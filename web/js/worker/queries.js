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
const BINARY_PASS_MIN_VECTORS = 200_000;  // below this, exhaustive int8 is fast enough

export class Queries {
  constructor(session, post) {
    this.session = session;
    this.post = post;
    this.textCache = new Map();  // text -> embedding, LRU
    this.image = null;           // {key, embedding, sha256} of the current image query
    this.last = null;            // last answered query, re-run as more shards arrive
    this.vision = null;          // Promise of the vision encoder, made on the first image query
    this.towers = new Map();     // language -> Promise of {tokenizer, encoder, contextLength}: other text towers
    this.encoderRuns = 0;        // reported with the mailbox's counts, for the debug hook
    this.encoding = Promise.resolve();  // the last encoder run (exclusive())
    this.mailbox = new QueryMailbox((q) => this.run(q), (q, err) => {
      post({ type: 'query-error', seq: q.seq, message: explain(err, 'searching').message });
    });
    this.embedders = {
      text: async (term, q) => {
        const r = await this.textEmbedding(term.text, q.lang);
        term.lang = r.lang;
        return r.embedding;
      },
      photo: (term, q) => this.imageEmbedding(q).then((r) => r.embedding),
      id: (term) => this.storedEmbedding(term.text).embedding,
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
    this.search(this.last, false);
    return true;
  }

  // After a shard arrives: the last answer again, over the larger index.
  rerunLast() {
    if (!this.last) return;
    try {
      this.search(this.last, true);
    } catch {
      // the next query reports it
    }
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

  storedEmbedding(id) {
    const embedding = this.session.index.embedding(id);
    if (!embedding) throw new UserError('unknown-id', `No image with id “${id}” is in this index.`);
    return { embedding };
  }

  async imageEmbedding(q) {
    if (this.image && this.image.key === q.key) return this.image;
    const { core, model } = this.session;
    const bytes = new Uint8Array(await q.blob.arrayBuffer());
    const cfg = model.manifest.image;  // size, resample filter, mean, std
    const [{ tensor, sha256 }, encoder] = await Promise.all([imageToTensor(core, bytes, q.mime, cfg), this.visionEncoder()]);
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
    const image = target.kind === 'photo' ? (await this.imageEmbedding(target)).embedding : this.storedEmbedding(target.id).embedding;
    return this.labeller.label(labels || '', image, async (text) => (await this.textEmbedding(text)).embedding);
  }

  // ---- search and answer ---------------------------------------------------

  search({ q, terms, embedding, sha256, lang, encodeMs }, partial) {
    const { core, index, indexInfo } = this.session;
    // The query image itself: by content hash for a photo, by id for "similar" or a similar: term.
    const photoSelfId = (sha256 && index.findBySha256(sha256)) || '';
    const selfId = selfIdOf(terms, photoSelfId);
    const t0 = performance.now();
    const options = {
      k: q.k,
      excludeId: q.excludeSelf ? selfId : '',
      binary: index.size >= BINARY_PASS_MIN_VECTORS && indexInfo.manifest.binaryCodes,
    };
    const searched = (o) => (index.size === 0 ? [] : coreRefusal('search', (why) => `Search failed: ${why}`, () => index.search(embedding, o)));
    const hits = searched({ ...options, minScore: q.minScore });
    // The verdict is on the best result, whether or not the threshold keeps it.
    const best = hits.length || !(q.minScore > -1) ? hits[0] : searched({ ...options, k: 1 })[0];
    const match = partial && !this.session.state.shards.finished ? null : this.match.judge(embedding, best?.score, terms, imageModality(terms));
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
      partial,
      hits,
      encodeMs,
      searchMs: performance.now() - t0,
      embedding,
      selfId,
      selfEmbedding: selfId ? index.embedding(selfId) : null,
      queryStats: { ...this.mailbox.stats, encoderRuns: this.encoderRuns },
    });
  }
}
