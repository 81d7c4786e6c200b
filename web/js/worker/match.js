// "Is anything here really a match?" (docs/MATCH.md): once every shard is
// in, the worker embeds the core's 64 calibration captions and lets the
// core compute this index's noise band (Index.calibrateMatches); each result
// set is then judged by the core (Index.judgeMatch), the same verdict as
// `clipsearch search --query`. Until then (and while shards still arrive)
// answers carry no verdict rather than a wrong one. An index loaded in tiers
// gets none: the noise band needs a sample of stored rows and top-1 searches
// over them, which its heads (sign bits) cannot give without fetching rows.

import { UserError } from './errors.js';

export class MatchJudge {
  constructor(session) {
    this.session = session;
    this.knownIds = null;
    this.calibrating = null;
  }

  // Embeds the captions with `embedText(text)` and calibrates the index as
  // it is now; `idle()` resolves when no user query is waiting, so the 64
  // encoder runs never delay one (each yields to queries first). Resolves
  // with the milliseconds it took.
  calibrate(embedText, idle) {
    const { core, index } = this.session;
    if (!index.allWhole) {
      return Promise.reject(new UserError('match', 'this index is loaded in tiers (rows arrive as queries need them), ' +
        'and the verdict is calibrated on a sample of stored rows; results are still ranked the same.'));
    }
    this.calibrating = (async () => {
      const t0 = performance.now();
      const captions = core.calibrationCaptions();
      const rows = new Float32Array(captions.length * index.dim);
      for (let i = 0; i < captions.length; i++) {
        await idle();
        rows.set(await embedText(captions[i]), i * index.dim);
      }
      index.calibrateMatches(rows);
      return performance.now() - t0;
    })();
    return this.calibrating;
  }

  // The words of the positive text terms the model never saw.
  unknownWords(terms) {
    const { core, tokenizer, model } = this.session;
    // The token ids the text tower was trained on, when model.json lists them
    // (the demo model does): the words of a query it never saw are named.
    if (!this.knownIds) this.knownIds = model.manifest.trainedTokenIds ?? new Int32Array(0);
    // Only the primary tower's list is known; a term another tower read is not judged.
    const primary = model.manifest.textLanguage;
    const texts = terms.filter((t) => t.kind === 'text' && t.weight > 0 && (!t.lang || t.lang === primary)).map((t) => t.text);
    return texts.length && this.knownIds.length ? core.unknownWords(tokenizer, texts, this.knownIds) : [];
  }

  // {level, percentile, lift, unrelated, unknownWords} or null (not calibrated yet).
  judge(embedding, topScore, terms, imageModality) {
    if (topScore === undefined) return null;
    return this.session.index.judgeMatch(embedding, topScore, imageModality, this.unknownWords(terms));
  }
}
