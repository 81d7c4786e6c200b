// A one-slot mailbox for queries. While one query runs, a newer one replaces
// whatever was waiting, so typing fast or dropping photo after photo never
// queues up stale encoder runs; and a query can ask whether a newer one has
// arrived (`superseded`) to give up before answering.
//
//   const box = new QueryMailbox(async (q) => { ...; return answered; }, onError);
//   box.submit(q);

export class QueryMailbox {
  // `run(query)` resolves true once it answered, false when it gave up
  // because a newer query arrived; `onError(query, err)` hears failures of
  // queries that are still the newest.
  constructor(run, onError) {
    this.run = run;
    this.onError = onError;
    this.pending = null;
    this.busy = false;
    // Queries received, and those a newer one made moot before they were
    // answered.
    this.stats = { received: 0, superseded: 0 };
  }

  get superseded() {
    return this.pending !== null;
  }

  submit(query) {
    this.stats.received++;
    if (this.pending) this.stats.superseded++;  // replaced before it ever ran
    this.pending = query;
    if (!this.busy) this.pump();
  }

  async pump() {
    this.busy = true;
    while (this.pending) {
      const q = this.pending;
      this.pending = null;
      try {
        if (!(await this.run(q))) this.stats.superseded++;
      } catch (err) {
        if (this.superseded) this.stats.superseded++;
        else this.onError(q, err);
      }
    }
    this.busy = false;
  }
}
