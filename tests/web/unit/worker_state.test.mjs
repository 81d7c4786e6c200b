// The search worker's states (web/js/worker/worker_state.js), driven the way
// loading.js drives them, with the status line the page would show after
// each step.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerState, State } from '../../../web/js/worker/worker_state.js';

// A machine that records every status it posts.
function recording() {
  const posted = [];
  const state = new WorkerState((s) => posted.push(s));
  const lastStatus = () => posted[posted.length - 1];
  return { state, posted, lastStatus };
}

// Whether `promise` has settled, without waiting for it.
async function settled(promise) {
  let done = false;
  promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

function loadTo(state, { shards = 3, images = 300 } = {}) {
  if (state.name === State.IDLE) state.start();
  state.step('Reading the index and model manifests…');
  state.indexPlanned({ shards, images });
  state.step('Loading model “demo” and 300 images (1 MB)…');
}

test('a clean load: starting, loading, partial once text and a shard are in, ready when every shard is', async () => {
  const { state, posted, lastStatus } = recording();
  assert.equal(state.name, State.IDLE);
  state.start();
  assert.equal(state.name, State.STARTING);
  assert.deepEqual(lastStatus(), { state: 'loading', message: 'Starting the search engine…', notes: [] });
  loadTo(state);
  assert.equal(state.name, State.LOADING);
  assert.equal(lastStatus().message, 'Loading model “demo” and 300 images (1 MB)…');

  state.shardLoaded(100);  // a shard before the text encoder: not yet queryable
  assert.equal(state.name, State.LOADING);
  assert.equal(await settled(state.queryable), false);
  state.textLoaded();
  assert.equal(state.name, State.PARTIAL);
  assert.equal(await settled(state.queryable), true);
  assert.deepEqual(lastStatus(), {
    state: 'ready',
    message: 'Ready: searching 100 of 300 images so far (1 of 3 shards); results update as the rest arrive.',
    notes: [],
  });

  const before = posted.length;
  state.shardLoaded(200);
  assert.equal(posted.length, before + 1, 'each shard while partial updates the status');
  assert.match(lastStatus().message, /searching 200 of 300 images so far \(2 of 3 shards\)/);
  state.shardLoaded(300);
  state.shardsFinished('');
  assert.equal(state.name, State.READY);
  assert.deepEqual(lastStatus(), { state: 'ready', message: 'Ready: searching 300 images.', notes: [] });
});

test('shards that all finish before the text encoder go straight to ready', () => {
  const { state, lastStatus } = recording();
  loadTo(state, { shards: 1, images: 100 });
  state.shardLoaded(100);
  state.shardsFinished('');
  assert.equal(state.name, State.LOADING);
  state.textLoaded();
  assert.equal(state.name, State.READY);
  assert.equal(lastStatus().message, 'Ready: searching 100 images.');
});

test('an index with no shards is ready once the text encoder is', () => {
  const { state, lastStatus } = recording();
  loadTo(state, { shards: 0, images: 0 });
  state.shardsFinished('');
  state.textLoaded();
  assert.equal(state.name, State.READY);
  assert.equal(lastStatus().message, 'Ready: searching 0 images.');
});

test('damaged shards: ready, searchable, and the status reports them as an error', () => {
  const { state, lastStatus } = recording();
  loadTo(state);
  state.textLoaded();
  state.shardLoaded(100);
  state.shardLoaded(200);
  // The core's damage report (Index.damageReport): the refused shards, then what remains searchable.
  state.shardsFinished('shard-00002.bin is 12 bytes, but manifest.json says 100. 200 of 300 images are searchable.');
  assert.equal(state.name, State.READY);
  assert.equal(state.isQueryable, true);
  assert.deepEqual(lastStatus(), {
    state: 'error',
    message: 'Index damaged: shard-00002.bin is 12 bytes, but manifest.json says 100. 200 of 300 images are searchable.',
    notes: [],
  });
  // A passing remark keeps the damage report after it.
  state.activity('Loading the image model for the first image query…');
  assert.match(lastStatus().message, /^Loading the image model.*… Index damaged: shard-00002\.bin/);
  state.activity('');
  assert.match(lastStatus().message, /^Index damaged/);
});

test('a fatal error releases waiting queries, which then see it; later shards change nothing', async () => {
  const { state, posted, lastStatus } = recording();
  loadTo(state);
  const waiting = state.queryable.then(() => state.fatal);
  const error = new Error('Model missing: model.json was not found at http://x/model.json (HTTP 404).');
  state.fail(error);
  assert.equal(state.name, State.FAILED);
  assert.equal(await waiting, error);
  assert.deepEqual(lastStatus(), { state: 'error', message: error.message, notes: [] });
  const before = posted.length;
  state.shardLoaded(100);
  state.textLoaded();
  state.shardsFinished('');
  state.fail(new Error('a second failure'));
  assert.equal(state.name, State.FAILED);
  assert.equal(state.fatal, error, 'the first fatal error is kept');
  assert.equal(posted.length, before, 'nothing is posted after failing');
});

test('a failure while partial stops queries', () => {
  const { state, lastStatus } = recording();
  loadTo(state);
  state.textLoaded();
  state.shardLoaded(100);
  state.fail(new Error('Out of memory while loading shard-00001.bin.'));
  assert.equal(state.name, State.FAILED);
  assert.equal(state.isQueryable, false);
  assert.equal(lastStatus().state, 'error');
});

test('notes ride along with every status; activity shows only while queryable', () => {
  const { state, lastStatus } = recording();
  state.start();
  state.note('Cache Storage is unavailable here.');
  state.note('');  // empty notes are dropped
  state.activity('Loading the image model…');
  assert.equal(lastStatus().message, 'Starting the search engine…', 'no activity before queryable');
  state.step('Reading the index and model manifests…');
  assert.deepEqual(lastStatus().notes, ['Cache Storage is unavailable here.']);
  state.indexPlanned({ shards: 1, images: 10 });
  state.textLoaded();
  state.shardLoaded(10);
  assert.equal(lastStatus().message, 'Loading the image model…');
  state.activity('');
  assert.equal(lastStatus().message, 'Ready: searching 10 images.');
});

test('transitions outside the table are refused', () => {
  const { state } = recording();
  assert.throws(() => state.to(State.READY), /no transition idle → ready/);
  loadTo(state, { shards: 1, images: 1 });
  state.textLoaded();
  state.shardLoaded(1);
  state.shardsFinished('');
  assert.equal(state.name, State.READY);
  assert.throws(() => state.start(), /ready → starting/);
  assert.throws(() => state.step('again'), /ready → loading/);
});
