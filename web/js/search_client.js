// The page's side of the worker protocol. Every query gets a sequence
// number; only the answer to the newest one is ever delivered, so a slow
// older query can never overwrite a newer result.
//
// page -> worker: {type: 'init', config}
//                 {type: 'query', seq, kind: 'text'|'image'|'similar', ...}
// worker -> page: {type: 'status'|'backend'|'progress'|'index'|'timing', ...}
//                 {type: 'results', seq, hits, ...}, {type: 'query-error', seq, message}

export class SearchClient {
  constructor(workerUrl, handlers) {
    this.handlers = handlers;
    this.seq = 0;
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

  receive(msg) {
    if ((msg.type === 'results' || msg.type === 'query-error') && msg.seq !== this.seq) return;  // stale
    const handler = this.handlers[msg.type];
    if (handler) handler(msg);
  }
}
