// The status line (data-state: loading | ready | error), the backend label and
// the download progress bars.

import { formatBytes } from './format.js';

export class StatusView {
  constructor({ status, backend, progress, indexInfo }) {
    this.statusEl = status;
    this.backendEl = backend;
    this.progressEl = progress;
    this.indexInfoEl = indexInfo;
    this.bars = new Map();
  }

  // `notes` are lasting remarks (fallbacks, missing features) kept after the
  // main message.
  set(state, message, notes = []) {
    this.statusEl.dataset.state = state;
    this.statusEl.textContent = [message, ...notes].filter(Boolean).join(' ');
  }

  get state() {
    return this.statusEl.dataset.state;
  }

  setBackend(text) {
    this.backendEl.textContent = text;
  }

  setIndexInfo(text) {
    this.indexInfoEl.textContent = text;
  }

  // One bar per download; `total` may be 0 when unknown.
  progress(id, label, loaded, total) {
    let bar = this.bars.get(id);
    if (!bar) {
      const item = document.createElement('div');
      item.className = 'progress-item';
      item.dataset.testid = 'progress';
      const name = document.createElement('span');
      const amount = document.createElement('span');
      const meter = document.createElement('progress');
      meter.setAttribute('aria-label', label);
      item.append(name, amount, meter);
      this.progressEl.append(item);
      bar = { item, name, amount, meter };
      this.bars.set(id, bar);
    }
    bar.name.textContent = label;
    bar.amount.textContent = total ? `${formatBytes(loaded)} / ${formatBytes(total)}` : formatBytes(loaded);
    if (total) {
      bar.meter.max = total;
      bar.meter.value = Math.min(loaded, total);
    } else {
      bar.meter.removeAttribute('value');
    }
    if (total && loaded >= total) this.done(id);
  }

  done(id) {
    const bar = this.bars.get(id);
    if (!bar) return;
    this.bars.delete(id);
    setTimeout(() => bar.item.remove(), 400);
  }
}
