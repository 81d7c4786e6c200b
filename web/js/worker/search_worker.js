// The search worker: owns the wasm core, ONNX Runtime Web, the model and the
// index, so the page never blocks. Protocol: see ../search_client.js.
//
//   worker_state.js  its states (starting, loading, partial, ready, failed)
//                    and the status line each shows
//   loading.js       the loading stages that move it through them
//   queries.js       queries: the mailbox, one embedder per kind, search
//   duplicates.js    near-duplicate groups of the whole index, with progress
//
// A new message from the page is one more entry in `handlers`.

import { WorkerState } from './worker_state.js';
import { load } from './loading.js';
import { Queries } from './queries.js';
import { Duplicates } from './duplicates.js';
import { explain } from './errors.js';
import { editBox } from './expression.js';

const post = (msg) => self.postMessage(msg);

// What loading makes and queries use (see loading.js).
const session = {
  config: null,
  state: new WorkerState((status) => post({ type: 'status', ...status })),
  core: null,
  ort: null,
  backend: 'wasm',
  model: null,
  tokenizer: null,
  textEncoder: null,
  index: null,
  indexInfo: null,
};
const queries = new Queries(session, post);
const duplicates = new Duplicates(session, post);

function fail(err) {
  session.state.fail(explain(err, 'loading'));
  if (!session.ort) post({ type: 'backend', name: '', label: `not started (${session.backend === 'webgpu' ? 'webgpu' : 'wasm'} planned)` });
}

// Replies {type: 'reply', reqId, ...result} or {type: 'reply', reqId, error}.
async function answer(msg, work, what) {
  try {
    post({ type: 'reply', reqId: msg.reqId, ...(await work()) });
  } catch (err) {
    post({ type: 'reply', reqId: msg.reqId, error: explain(err, what).message });
  }
}

const handlers = {
  init(msg) {
    if (session.config) return;
    session.config = msg.config;
    load(session, post, () => {
      if (session.state.isQueryable) queries.rerunLast();
    }).then(() => queries.calibrate().catch((err) => {
      session.state.note(`No match verdicts: ${explain(err, 'calibrating').message}`);
      session.state.post();
    }), fail);
  },
  query(msg) {
    queries.submit(msg);
  },
  duplicates(msg) {
    duplicates.run(msg);
  },
  // Requests with one answer each (search_client.js `request`), matched by reqId.
  // "What is this?" on the dropped photo or a result.
  labels(msg) {
    answer(msg, () => queries.labels(msg), 'labelling');
  },
  // A chip's weight changed or the chip was removed: the box's new text.
  'edit-box'(msg) {
    answer(msg, () => ({ text: editBox(session.core, msg.text, msg.index, msg.weight, msg.combine) }), 'editing the query');
  },
};

self.onmessage = (e) => handlers[e.data.type]?.(e.data);
