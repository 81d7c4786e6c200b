// The Duplicates view: groups of near-duplicate images side by side, the
// suggested keeper first and marked, every other member with its cosine to
// the keeper. Groups and keepers come from the core (the worker's
// duplicates.js), the same as `clipsearch duplicates`.
// Keyboard: ArrowDown / ArrowUp (or j / k) move between groups, ArrowRight /
// ArrowLeft between the members of a group, Home / End to the first / last
// group. Index text only ever reaches the DOM as textContent (results_view.js).

import { el, safeUrl } from './results_view.js';
import { formatCount, formatScore } from './format.js';
import { t } from './i18n.js';

function member(m, keeper, indexBase) {
  const fig = el('figure', keeper ? 'dup-member keeper' : 'dup-member');
  fig.dataset.testid = 'duplicate-member';
  fig.dataset.id = m.id;
  fig.dataset.score = String(m.score);
  fig.tabIndex = -1;
  const caption = m.caption || m.id;
  const img = el('img');
  img.alt = caption;
  img.loading = 'lazy';
  img.decoding = 'async';
  const thumb = safeUrl(m.thumb, indexBase);
  if (thumb) img.src = thumb;
  const figcaption = el('figcaption');
  const line = el('span', 'dup-line');
  const score = el('span', 'dup-score', keeper ? t('keep') : formatScore(m.score));
  score.dataset.testid = keeper ? 'keeper' : 'score';
  score.title = t('scoreToKeeper', m.score.toFixed(4));
  line.append(score);
  if (m.width && m.height) line.append(el('span', 'dup-size', `${m.width}×${m.height}`));
  figcaption.append(line, el('span', 'dup-caption', caption));
  fig.setAttribute('aria-label', keeper ? t('keeperAria', caption, m.width, m.height)
    : t('memberAria', caption, formatScore(m.score), m.width, m.height));
  fig.append(img, figcaption);
  return fig;
}

export class DuplicatesView {
  constructor({ section, list, summary, progress, announce }) {
    Object.assign(this, { section, list, summary, progress, announce });
    list.addEventListener('keydown', (e) => this.onKey(e));
  }

  show(visible) {
    this.section.hidden = !visible;
  }

  // Scanning: done of total images compared.
  working(done, total, threshold) {
    this.progress.hidden = false;
    this.progress.max = Math.max(1, total);
    this.progress.value = done;
    this.progress.setAttribute('aria-valuetext', t('dupProgress', formatCount(done), formatCount(total)));
    this.summary.textContent = t('dupScanning', formatCount(done), formatCount(total), formatScore(threshold));
    this.section.dataset.state = 'working';
  }

  failed(message) {
    this.progress.hidden = true;
    this.summary.textContent = message;
    this.section.dataset.state = 'error';
  }

  render(groups, { indexBase, threshold, total }) {
    this.progress.value = this.progress.max;
    this.progress.hidden = true;
    const images = groups.reduce((n, g) => n + g.members.length, 0);
    const text = groups.length
      ? t('dupSummary', groups.length, formatCount(images), formatCount(total), formatScore(threshold))
      : t('dupNone', formatCount(total), formatScore(threshold));
    this.summary.textContent = text;
    this.announce.textContent = text;
    this.list.replaceChildren(...groups.map((g, i) => {
      const li = el('li', 'dup-group');
      li.dataset.testid = 'duplicate-group';
      li.dataset.keeper = g.keeper;
      li.tabIndex = i === 0 ? 0 : -1;
      li.setAttribute('aria-label', t('groupAria', i + 1, groups.length, g.members.length));
      const row = el('div', 'dup-members');
      row.append(...g.members.map((m) => member(m, m.id === g.keeper, indexBase)));
      li.append(el('h3', 'dup-title', t('groupTitle', i + 1, g.members.length)), row);
      return li;
    }));
    this.section.dataset.state = 'done';
  }

  onKey(e) {
    const groups = [...this.list.querySelectorAll('.dup-group')];
    const group = e.target.closest('.dup-group');
    if (!group) return;
    const gi = groups.indexOf(group);
    const members = [...group.querySelectorAll('.dup-member')];
    const mi = members.indexOf(e.target.closest('.dup-member'));
    let target = null;
    if (e.key === 'ArrowDown' || e.key === 'j') target = groups[Math.min(groups.length - 1, gi + 1)];
    else if (e.key === 'ArrowUp' || e.key === 'k') target = groups[Math.max(0, gi - 1)];
    else if (e.key === 'Home') target = groups[0];
    else if (e.key === 'End') target = groups[groups.length - 1];
    else if (e.key === 'ArrowRight') target = members[Math.min(members.length - 1, mi + 1)];
    else if (e.key === 'ArrowLeft') target = mi <= 0 ? group : members[mi - 1];
    if (!target) return;
    e.preventDefault();
    for (const g of groups) g.tabIndex = -1;  // one tab stop: the group last visited
    target.closest('.dup-group').tabIndex = 0;
    target.focus();
  }
}
