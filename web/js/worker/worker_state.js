// The search worker's life as named states, and the status line each one
// shows. Pure: no messages, no fetches, so it runs under node alone
// (tests/web/unit/worker_state.test.mjs).
//
//   idle ─start─▶ starting ─step─▶ loading ─(text encoder and a shard, or
//                                             every shard tried)─▶ partial ─▶ ready
//                                              (every shard tried first)──────▶ ready
//   any state but ready ─fail─▶ failed
//
// partial: queries run on the shards loaded so far; ready: every shard was
// tried (the damaged ones are reported, the rest stay searchable).
// Queries wait for `queryable` (resolved on partial, ready or failed) and
// then check `fatal`.
//
// Extension points: a new loading phase is a `step(message)` (and, if
// queries may run during it, a new state in NEXT); the join that makes the
// worker queryable is `maybeQueryable()`; the status text is `status()`.

import { formatCount } from '../format.js';

export const State = Object.freeze({
  IDLE: 'idle',
  STARTING: 'starting',   // loading the wasm core
  LOADING: 'loading',     // manifests, backend, text encoder, shards
  PARTIAL: 'partial',     // queryable; shards still arriving
  READY: 'ready',         // queryable; every shard tried
  FAILED: 'failed',       // a fatal error: every query reports it
});

const NEXT = {
  idle: ['starting', 'failed'],
  starting: ['loading', 'failed'],
  loading: ['partial', 'ready', 'failed'],
  partial: ['ready', 'failed'],
  ready: [],
  failed: [],
};

export class WorkerState {
  // `onStatus({state: 'loading'|'ready'|'error', message, notes})` hears
  // every change of the status line.
  constructor(onStatus = () => {}) {
    this.onStatus = onStatus;
    this.name = State.IDLE;
    this.stepMessage = '';
    this.activityMessage = '';  // shown while queryable, e.g. "Loading the image model…"
    this.notes = [];            // lasting remarks appended to every status
    this.fatal = null;          // the error that put the worker in `failed`
    this.textReady = false;
    this.shards = { loaded: 0, total: 0, searchable: 0, images: 0, finished: false };
    this.damage = '';           // the report on skipped shards, once all were tried
    this.queryable = new Promise((resolve) => (this.releaseQueries = resolve));
  }

  get isQueryable() {
    return this.name === State.PARTIAL || this.name === State.READY;
  }

  get isFailed() {
    return this.name === State.FAILED;
  }

  // ---- transitions ---------------------------------------------------------

  to(next) {
    if (!NEXT[this.name].includes(next)) throw new Error(`worker state: no transition ${this.name} → ${next}`);
    this.name = next;
    if (next === State.PARTIAL || next === State.READY || next === State.FAILED) this.releaseQueries();
  }

  start() {
    this.to(State.STARTING);
    this.stepMessage = 'Starting the search engine…';
    this.post();
  }

  // A loading phase began; its message is the status until the worker is
  // queryable.
  step(message) {
    if (this.name !== State.LOADING) this.to(State.LOADING);
    this.stepMessage = message;
    this.post();
  }

  note(text) {
    if (text) this.notes.push(text);
  }

  // The index's totals, known from its manifest.
  indexPlanned({ shards, images }) {
    Object.assign(this.shards, { total: shards, images });
  }

  textLoaded() {
    this.textReady = true;
    this.maybeQueryable();
  }

  // One more shard is searchable; `searchable` is the index's vector count.
  shardLoaded(searchable) {
    this.shards.loaded++;
    this.shards.searchable = searchable;
    if (!this.maybeQueryable() && this.isQueryable) this.post();
  }

  // Every shard was tried; `report` is the core's damage report (the
  // refused shards and why, how many images remain searchable), or ''.
  shardsFinished(report = '') {
    this.shards.finished = true;
    if (report) this.damage = `Index damaged: ${report}`;
    this.maybeQueryable();
  }

  // The join: queryable once the text encoder is in and a shard is (or all
  // were tried); ready once every shard was tried. Returns whether it moved.
  maybeQueryable() {
    if (this.isFailed || !this.textReady) return false;
    const { finished, loaded } = this.shards;
    let next = null;
    if (this.name === State.LOADING && finished) next = State.READY;
    else if (this.name === State.LOADING && loaded > 0) next = State.PARTIAL;
    else if (this.name === State.PARTIAL && finished) next = State.READY;
    if (!next) return false;
    this.to(next);
    this.post();
    return true;
  }

  // Any state but ready and failed; a failure after `ready` (none today)
  // would need its own state. Keeps the first fatal error.
  fail(error) {
    if (this.isFailed) return;
    this.fatal = error;
    this.to(State.FAILED);
    this.post();
  }

  // A passing remark while queryable (empty to clear it).
  activity(message) {
    this.activityMessage = message || '';
    if (this.isQueryable) this.post();
  }

  // ---- the status line -----------------------------------------------------

  status() {
    switch (this.name) {
      case State.FAILED:
        return { state: 'error', message: this.fatal.message };
      case State.PARTIAL:
        return { state: 'ready', message: this.activityMessage || this.readyMessage() };
      case State.READY: {
        const message = this.activityMessage || this.readyMessage();
        if (this.damage) return { state: 'error', message: this.activityMessage ? `${message} ${this.damage}` : this.damage };
        return { state: 'ready', message };
      }
      default:
        return { state: 'loading', message: this.stepMessage };
    }
  }

  readyMessage() {
    const { loaded, total, searchable, images } = this.shards;
    if (loaded < total && !this.shards.finished) {
      return `Ready: searching ${formatCount(searchable)} of ${formatCount(images)} images so far (${loaded} of ${total} shards); results update as the rest arrive.`;
    }
    return `Ready: searching ${formatCount(searchable)} images.`;
  }

  post() {
    this.onStatus({ ...this.status(), notes: [...this.notes] });
  }
}
