// Query handling in the worker: the one-slot mailbox (query_mailbox.js), one
// embedder per query kind, then the core's search and the answer to the
// page. Queries wait until the worker is queryable (worker_state.js) and
// report its fatal error if it failed.
//
// A new kind of query (an expression of several terms, zero-shot labels, a
// text in another language) is one more entry in `embedders`: a function
// (query) -> {embedding, sha256?} that runs the encoders it needs.

import { loadEncoder, loadTokenizer, modelLanguages, LANGUAGE_NAMES } from './model_loader.js';
import { imageToTensor } from './image_decode.js';
import { QueryMailbox } from './query_mailbox.js';
import { UserError, explain, coreRefusal } from './errors.js';
import { progress } from './loading.js';

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
    this.mailbox = new QueryMailbox((q) => this.run(q), (q, err) => {
      post({ type: 'query-error', seq: q.seq, message: explain(err, 'searching').message });
    });
    this.embedders = {
      text: (q) => this.textEmbedding(q.text, q.lang),
      image: (q) => this.imageEmbedding(q),
      similar: (q) => this.storedEmbedding(q.id),
    };
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
    const embed = this.embedders[q.kind];
    if (!embed) throw new UserError('internal', `Unknown query kind “${q.kind}”.`);
    const t0 = performance.now();
    const { embedding, sha256 = '', lang } = await embed(q);
    if (this.mailbox.superseded) return false;
    this.last = { q, embedding, sha256, lang, encodeMs: performance.now() - t0 };
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
  // loaded with the page, the others on their first query.
  async textEmbedding(text, requested = 'auto') {
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
      embedding = await tower.encoder.embedText(ids);
    }
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
          });
          state.note(r.note);
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
    const embedding = await encoder.embedImage(tensor, cfg.size);
    this.image = { key: q.key, embedding, sha256 };
    return this.image;
  }

  visionEncoder() {
    if (!this.vision) {
      const { core, model, ort, backend, state } = this.session;
      this.vision = (async () => {
        state.activity('Loading the image model for the first image query…');
        try {
          const r = await loadEncoder(ort, model, 'vision', backend, { core, onProgress: progress(this.post, 'vision-model', 'Image model') });
          state.note(r.note);
          return r.encoder;
        } finally {
          state.activity('');
        }
      })();
      this.vision.catch(() => (this.vision = null));  // let a later image query retry
    }
    return this.vision;
  }

  // ---- search and answer ---------------------------------------------------

  search({ q, embedding, sha256, lang, encodeMs }, partial) {
    const { index, indexInfo } = this.session;
    // The query image itself: by content hash for a photo, by id for "similar".
    const selfId = q.kind === 'similar' ? q.id : (sha256 && index.findBySha256(sha256)) || '';
    const t0 = performance.now();
    const hits = index.size === 0 ? [] : coreRefusal('search', (why) => `Search failed: ${why}`, () => index.search(embedding, {
      k: q.k,
      minScore: q.minScore,
      excludeId: q.excludeSelf ? selfId : '',
      binary: index.size >= BINARY_PASS_MIN_VECTORS && indexInfo.manifest.binaryCodes,
    }));
    this.post({
      type: 'results',
      seq: q.seq,
      kind: q.kind,
      text: q.kind === 'text' ? q.text : undefined,
      lang,  // the text tower that read a text query
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
