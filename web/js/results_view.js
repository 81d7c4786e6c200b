// Result cards. Everything that comes from an index (captions, ids, paths)
// is untrusted: it only ever reaches the DOM as textContent or as an http(s)
// URL checked by safeUrl(), never as HTML.

import { formatScore, formatCount } from './format.js';
import { t } from './i18n.js';

// Resolves `raw` against `base` and returns it only if it is http(s) (a
// relative path in the index resolves to the index's own host).
export function safeUrl(raw, base) {
  if (!raw) return null;
  let url;
  try {
    url = new URL(raw, base);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function card(hit, indexBase, onSimilar, onLabels) {
  const li = el('li', 'card');
  li.dataset.testid = 'result';
  li.dataset.id = hit.id;
  li.dataset.score = String(hit.score);

  const caption = hit.caption || hit.id;
  const source = safeUrl(hit.source, indexBase);
  const thumbLink = el(source ? 'a' : 'div', 'thumb');
  if (source) {
    thumbLink.href = source;
    thumbLink.target = '_blank';
    thumbLink.rel = 'noopener noreferrer';
  }
  const img = el('img');
  img.alt = caption;
  img.loading = 'lazy';
  img.decoding = 'async';
  const thumb = safeUrl(hit.thumb, indexBase);
  if (thumb) img.src = thumb;
  if (hit.width && hit.height) {
    img.width = hit.width;
    img.height = hit.height;
  }
  // A thin strip along the thumbnail's edge shows the similarity at a glance.
  const strip = el('span', 'relevance');
  strip.setAttribute('aria-hidden', 'true');
  const fill = el('i');
  fill.style.width = `${Math.max(0, Math.min(1, hit.score)) * 100}%`;
  strip.append(fill);
  thumbLink.append(img, strip);

  const body = el('div', 'body');
  const cap = el('p', 'caption', caption);
  cap.dataset.testid = 'caption';

  const row = el('div', 'row');
  const score = el('span', 'score');
  score.dataset.testid = 'score';
  score.title = t('scoreTitle', hit.score.toFixed(4));
  score.textContent = formatScore(hit.score);

  const similar = el('button', 'similar', t('similar'));
  similar.type = 'button';
  similar.dataset.testid = 'similar';
  similar.setAttribute('aria-label', t('similarAria', caption));
  similar.addEventListener('click', () => onSimilar(hit));
  row.append(score, similar);
  if (onLabels) {
    const what = el('button', 'similar what-is-this', t('whatIsThis'));
    what.type = 'button';
    what.dataset.testid = 'what-is-this';
    what.setAttribute('aria-label', t('whatIsThisAria', caption));
    what.addEventListener('click', () => onLabels(hit));
    row.append(what);
  }

  body.append(cap);
  if (source) {
    const a = el('a', 'source', t('original'));
    a.href = source;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    a.title = hit.source;
    a.setAttribute('aria-label', t('originalAria', caption));
    body.append(a);
  }
  body.append(row);
  li.append(thumbLink, body);
  return li;
}

export class ResultsView {
  constructor(list, empty, announce, partial = null) {
    this.list = list;
    this.empty = empty;
    this.announce = announce;
    this.partial = partial;
  }

  // `partial` ({searched, total}) when the index was still arriving: the
  // answer covers only part of it, and says so.
  render(hits, { indexBase, describe, onSimilar, onLabels, partial = null }) {
    const frag = document.createDocumentFragment();
    for (const hit of hits) frag.append(card(hit, indexBase, onSimilar, onLabels));
    this.list.replaceChildren(frag);
    this.empty.hidden = hits.length > 0;
    if (!hits.length) this.empty.textContent = t('noResults', describe);
    const note = partial ? t('partialResults', formatCount(partial.searched), formatCount(partial.total)) : '';
    if (this.partial) {
      this.partial.hidden = !note;
      this.partial.textContent = note;
    }
    const text = t('resultCount', hits.length, describe) + (partial ? t('partialSuffix') : '');
    if (this.announce.textContent !== text) this.announce.textContent = text;
  }

  clear() {
    if (this.partial) this.partial.hidden = true;
    this.list.replaceChildren();
    this.empty.hidden = true;
    this.announce.textContent = '';
  }
}
