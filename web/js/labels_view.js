// "What is this?": zero-shot labels for the dropped photo or a result
// (worker/labels.js). A panel with the labels to choose from (typed,
// comma-separated; empty: the list the index ships) and the best ones with
// their probabilities. Labels reach the DOM only as textContent.

import { t } from './i18n.js';
import { el } from './results_view.js';

export class LabelsView {
  // `run(target, typed)` -> Promise of {labels, source, count}.
  constructor({ panel, title, input, button, list, error, close }, run) {
    Object.assign(this, { panel, title, input, button, list, error, run });
    this.target = null;
    this.pending = 0;
    button.addEventListener('click', () => this.label());
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.label();
      }
    });
    close.addEventListener('click', () => this.hide());
  }

  // target: {kind: 'photo', key, blob, mime, name} | {kind: 'id', id, caption}.
  open(target) {
    this.target = target;
    this.title.textContent = t('labelsTitle', target.kind === 'photo' ? target.name : target.caption || target.id);
    this.panel.hidden = false;
    this.label();
  }

  async label() {
    if (!this.target) return;
    const mine = ++this.pending;
    this.panel.dataset.state = 'running';
    this.error.hidden = true;
    try {
      const r = await this.run(this.target, this.input.value);
      if (mine !== this.pending) return;
      this.render(r);
      this.panel.dataset.state = 'done';
    } catch (err) {
      if (mine !== this.pending) return;
      this.list.replaceChildren();
      this.error.textContent = err.message;
      this.error.hidden = false;
      this.panel.dataset.state = 'error';
    }
  }

  render({ labels, source, count }) {
    const frag = document.createDocumentFragment();
    for (const l of labels) {
      const li = el('li', 'label');
      li.dataset.testid = 'label';
      li.dataset.prob = String(l.prob);
      li.dataset.score = String(l.score);
      const bar = el('span', 'label-bar');
      bar.setAttribute('aria-hidden', 'true');
      const fill = el('i');
      fill.style.width = `${Math.round(l.prob * 100)}%`;
      bar.append(fill);
      li.append(el('span', 'label-text', l.label), el('span', 'label-prob', `${(l.prob * 100).toFixed(1)}%`), bar);
      frag.append(li);
    }
    this.list.replaceChildren(frag);
    this.list.dataset.source = source;
    this.list.setAttribute('aria-label', t(source === 'index' ? 'labelsFromIndex' : 'labelsTyped', count));
  }

  hide() {
    this.panel.hidden = true;
    this.target = null;
    this.pending++;
  }
}
