// The page's side of the worker protocol. Every query gets a sequence
// number; only the answer to the newest one is ever delivered, so a slow
// older query can never overwrite a newer result.
//
// page -> worker: {type: 'init', config}
//                 {type: 'query', seq, kind: 'text'|'image'|'similar', text, ...}
//                 {type: 'duplicates', seq, threshold}   (threshold null: the core's default)
//                 {type: 'labels'|'edit-box', reqId, ...}: requests (`request`)
// worker -> page: {type: 'status'|'backend'|'progress'|'index'|'timing'|'calibrated', ...}
//                 {type: 'results', seq, hits, terms, match, ...}, {type: 'query-error', seq, message}
//                 {type: 'duplicates-progress', seq, done, total, threshold}
//                 {type: 'duplicates', seq, groups, threshold, total}, {type: 'duplicates-error', seq, message}
//                 {type: 'reply', reqId, ...result | error}

export class SearchClient {
  constructor(workerUrl, handlers) {
    this.handlers = handlers;
    this.seq = 0;
    this.dupSeq = 0;
    this.requests = 0;
    this.pending = new Map();  // reqId -> {resolve, reject}
    this.worker = new Worker(workerUrl, { type: 'module' });
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      handlers.status({ state: 'error', message: `The search worker failed to start: ${e.message || 'unknown error'}.` });
    };
  }

  init(config) {
    this.worker.postMessage({ type: 'init', config });
  }

  // Returns the query's sequence number.
  query(query) {
    const seq = ++this.seq;
    this.worker.postMessage({ type: 'query', seq, ...query });
    return seq;
  }

  // Near-duplicate groups of the whole index; a newer request supersedes.
  duplicates(threshold) {
    const seq = ++this.dupSeq;
    this.worker.postMessage({ type: 'duplicates', seq, threshold });
    return seq;
  }

  // A request with one answer: resolves with the worker's result, rejects
  // with an Error carrying its message.
  request(type, payload) {
    const reqId = ++this.requests;
    this.worker.postMessage({ type, reqId, ...payload });
    return new Promise((resolve, reject) => this.pending.set(reqId, { resolve, reject }));
  }

  receive(msg) {
    if (msg.type === 'reply') {
      const p = this.pending.get(msg.reqId);
      this.pending.delete(msg.reqId);
      if (p) msg.error ? p.reject(new Error(msg.error)) : p.resolve(msg);
      return;
    }
    if ((msg.type === 'results' || msg.type === 'query-error') && msg.seq !== this.seq) return;  // stale
    if (msg.type.startsWith('duplicates') && msg.seq !== this.dupSeq) return;
    const handler = this.handlers[msg.type];
    if (handler) handler(msg);
  }
}
