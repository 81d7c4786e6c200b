// "What is this?": zero-shot labels for a dropped photo or a result, over the
// labels the user typed or the list the index ships (INDEX/labels.txt, one
// label per line). Each label goes through the template, the text encoder
// embeds it, and the core scores them (scoreLabels: softmax of the model's
// logit scale x cosine), as `clipsearch labels` does.

import { UserError, coreRefusal } from './errors.js';

const MAX_SHOWN = 10;

export class Labeller {
  constructor(session) {
    this.session = session;
    this.indexList = null;  // Promise of the index's labels.txt as a list
  }

  // The index's default list; a clear error when it ships none.
  indexLabels() {
    if (!this.indexList) {
      const { core, indexInfo } = this.session;
      const url = new URL('labels.txt', indexInfo.base).href;
      this.indexList = (async () => {
        const r = await fetch(url);
        if (!r.ok) throw new UserError('labels', `This index ships no label list (${url}: HTTP ${r.status}); type some labels, separated by commas.`);
        const text = await r.text();
        return coreRefusal('labels', (why) => `${url}: ${why}`, () => core.parseLabelList(text));
      })();
      this.indexList.catch(() => (this.indexList = null));
    }
    return this.indexList;
  }

  // `typed`: the user's labels, comma- or line-separated ('' = the index's
  // list). `imageEmbedding`: Float32Array. `embedText(text)` -> Float32Array.
  async label(typed, imageEmbedding, embedText) {
    const { core, model } = this.session;
    const fromUser = typed.split(/[,\n]/).map((s) => s.trim()).filter(Boolean).join('\n');
    const labels = fromUser ? coreRefusal('labels', (why) => why, () => core.parseLabelList(fromUser)) : await this.indexLabels();
    if (!labels.length) throw new UserError('labels', 'No labels to choose from: type some, separated by commas.');
    const dim = imageEmbedding.length;
    const rows = new Float32Array(labels.length * dim);
    for (let i = 0; i < labels.length; i++) {
      const text = coreRefusal('labels', (why) => why, () => core.applyLabelTemplate(core.defaultLabelTemplate, labels[i]));
      rows.set(await embedText(text), i * dim);
    }
    const scored = coreRefusal('labels', (why) => why, () => core.scoreLabels(imageEmbedding, rows, dim, model.manifest.logitScale));
    return {
      source: fromUser ? 'typed' : 'index',
      count: labels.length,
      labels: scored.slice(0, MAX_SHOWN).map((s) => ({ label: labels[s.label], score: s.score, prob: s.prob })),
    };
  }
}
