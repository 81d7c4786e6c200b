// Near-duplicate groups in the worker: the core's all-pairs scan (every
// image against every other with the batched int8 kernel) in ranges of rows,
// with progress after each, then the core's grouping and keeper rule
// (core/search/duplicates.h, the same as `clipsearch duplicates`).
// A newer request supersedes a running one between ranges; queries are
// answered between ranges too, since each range is a separate task.
// A tiered index (heads only) first gets its whole files, when they fit in
// memory (index_loader.js completeHeads); otherwise the view says what it needs.

import { UserError, coreRefusal, explain } from './errors.js';
import { completeHeads } from './index_loader.js';
import { progress } from './loading.js';

const ROWS_PER_STEP = 256;  // about 30 ms per 100k images per step on one core (BENCHMARKS.md)
const READY_POLL_MS = 100;

const yieldToMessages = () => new Promise((resolve) => setTimeout(resolve, 0));

function concat(Type, parts) {
  const out = new Type(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class Duplicates {
  constructor(session, post) {
    this.session = session;
    this.post = post;
    this.latest = 0;
    this.completing = null;  // Promise: a tiered index's heads completed by their whole files
  }

  async run(msg) {
    const { seq } = msg;
    this.latest = seq;
    try {
      await this.scan(msg);
    } catch (err) {
      if (seq === this.latest) this.post({ type: 'duplicates-error', seq, message: explain(err, 'finding duplicates').message });
    }
  }

  async scan({ seq, threshold }) {
    const { state } = this.session;
    await state.queryable;
    if (state.fatal) throw state.fatal;
    // Groups over part of the index would change as shards arrive: wait for all.
    while (!state.shards.finished && !state.isFailed) await new Promise((r) => setTimeout(r, READY_POLL_MS));
    const { index, core, indexInfo, config } = this.session;  // made by loading, which has finished now
    if (!index.allWhole) {
      // Once, shared by requests that arrive meanwhile; a failure lets a later request retry.
      this.completing ??= completeHeads(core, indexInfo, {
        deviceMemoryGb: config.deviceMemory,
        onProgress: progress(this.post, 'duplicates-rows', 'Rows for finding duplicates'),
      }).catch((err) => {
        this.completing = null;
        throw err;
      });
      await this.completing;
      if (seq !== this.latest) return;
    }
    const t = threshold ?? core.defaultDuplicateThreshold;
    if (!(t >= -1 && t <= 1)) throw new UserError('duplicates', `The duplicate threshold must lie between -1 and 1, not ${threshold}.`);
    const total = index.size;
    const rows = [];
    const scores = [];
    const t0 = performance.now();
    this.post({ type: 'duplicates-progress', seq, done: 0, total, threshold: t });
    for (let begin = 0; begin < total; begin += ROWS_PER_STEP) {
      await yieldToMessages();
      if (seq !== this.latest) return;
      const end = Math.min(total, begin + ROWS_PER_STEP);
      const part = coreRefusal('duplicates', (why) => `Finding duplicates failed: ${why}`,
        () => index.nearDuplicatePairs(begin, end, t));
      rows.push(part.rows);
      scores.push(part.scores);
      this.post({ type: 'duplicates-progress', seq, done: end, total, threshold: t });
    }
    const groups = coreRefusal('duplicates', (why) => `Finding duplicates failed: ${why}`,
      () => index.duplicateGroups(concat(Uint32Array, rows), concat(Float32Array, scores)));
    this.post({ type: 'duplicates', seq, threshold: t, total, groups, ms: performance.now() - t0 });
  }
}
