// The search box's terms as chips ("a red circle", "− red", "+ blue"), each
// with its weight and a remove button, once the query is more than one plain
// text: the worker's answer lists the terms the core parsed (expression.js).
// Editing a chip asks the worker to write the box's new text (the core's
// formatQuery), so the box, the chips and the URL always agree.
// Terms come from the user's own typing but still reach the DOM only as
// textContent.

import { t } from './i18n.js';
import { el } from './results_view.js';

// A weight control: magnitude only, the sign is the operator's.
export function weightInput(weight, label, onChange) {
  const input = el('input', 'term-weight');
  input.type = 'number';
  input.min = '0.1';
  input.max = '1000';
  input.step = '0.5';
  input.value = String(Math.abs(weight));
  input.dataset.testid = 'term-weight';
  input.setAttribute('aria-label', label);
  input.addEventListener('change', () => {
    const w = Number(input.value);
    if (Number.isFinite(w) && w >= 0.001 && w <= 1000) onChange(w);
  });
  return input;
}

export class TermChips {
  // `onWeight(boxIndex, weight)`, `onRemove(boxIndex)`.
  constructor(list, { onWeight, onRemove }) {
    this.list = list;
    this.onWeight = onWeight;
    this.onRemove = onRemove;
  }

  // `terms`: the answer's terms; only the box's are chips here (the photo or
  // "Similar" base has its own chip). Shown when there is a base, more than
  // one term, or a weight other than +1.
  render(terms, hasBase) {
    const box = (terms || []).filter((term) => term.source === 'box');
    const plain = box.length === 1 && box[0].weight === 1;
    this.list.replaceChildren();
    this.list.hidden = !box.length || (plain && !hasBase);
    if (this.list.hidden) return;
    box.forEach((term, i) => {
      const li = el('li', 'term');
      li.dataset.testid = 'term';
      li.dataset.kind = term.kind;
      li.dataset.weight = String(term.weight);
      const sign = el('span', 'term-sign', term.weight < 0 ? '−' : '+');
      sign.setAttribute('aria-hidden', 'true');
      const text = el('span', 'term-text', term.kind === 'id' ? t('termSimilar', term.text) : term.text);
      const remove = el('button', 'term-remove', '×');
      remove.type = 'button';
      remove.dataset.testid = 'term-remove';
      remove.setAttribute('aria-label', t('removeTerm', term.text));
      remove.addEventListener('click', () => this.onRemove(i));
      li.append(sign, text, weightInput(term.weight, t('weightOf', term.text), (w) => this.onWeight(i, w)), remove);
      this.list.append(li);
    });
  }

  clear() {
    this.list.replaceChildren();
    this.list.hidden = true;
  }
}
