// The page's side of the worker protocol. Every query gets a sequence
// number; only the answer to the newest one is ever delivered, so a slow
// older query can never overwrite a newer result.
//
// page -> worker: {type: 'init', config}
//                 {type: 'query', seq, kind: 'text'|'image'|'similar', ...}
//                 {type: 'duplicates', seq, threshold}   (threshold null: the core's default)
// worker -> page: {type: 'status'|'backend'|'progress'|'index'|'timing', ...}
//                 {type: 'results', seq, hits, ...}, {type: 'query-error', seq, message}
//                 {type: 'duplicates-progress', seq, done, total, threshold}
//                 {type: 'duplicates', seq, groups, threshold, total}, {type: 'duplicates-error', seq, message}

export class SearchClient {
  constructor(workerUrl, handlers) {
    this.handlers = handlers;
    this.seq = 0;
    this.dupSeq = 0;
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

  receive(msg) {
    if ((msg.type === 'results' || msg.type === 'query-error') && msg.seq !== this.seq) return;  // stale
    if (msg.type.startsWith('duplicates') && msg.seq !== this.dupSeq) return;
    const handler = this.handlers[msg.type];
    if (handler) handler(msg);
  }
}
