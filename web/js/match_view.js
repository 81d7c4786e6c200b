// The verdict on a result set (docs/MATCH.md), from the worker's answer:
// "No close match — showing the nearest" when the best result stands out no
// more than unrelated queries do, and the words the model never saw.
// `data-level` carries close | weak | none ('' before the index is
// calibrated) for tests and styling.

import { t } from './i18n.js';

export class MatchView {
  constructor(banner) {
    this.banner = banner;
  }

  show(match, unknownWords, modelName) {
    const level = match?.level || '';
    const words = match?.unknownWords?.length ? match.unknownWords : unknownWords || [];
    this.banner.dataset.level = level;
    this.banner.dataset.percentile = match ? String(match.percentile) : '';
    const lines = [];
    if (level === 'none') lines.push(t('noCloseMatch'));
    if (words.length) lines.push(t('unknownWords', modelName || t('theModel'), words.join(', ')));
    this.banner.textContent = lines.join(' ');
    this.banner.hidden = !lines.length;
  }

  clear() {
    this.banner.dataset.level = '';
    this.banner.textContent = '';
    this.banner.hidden = true;
  }
}
