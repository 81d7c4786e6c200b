// The page's language choice (web/js/i18n.js) under node: which language a
// reader gets, and that every English string has its Chinese twin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preferredLanguage, initialLanguage, rememberLanguage, setLanguage, t } from '../../../web/js/i18n.js';

// Enough of a document for setLanguage: <html> and no elements to rewrite.
const doc = { documentElement: { lang: '' }, querySelectorAll: () => [] };

test('a reader who prefers any Chinese gets Chinese, others English', () => {
  assert.equal(preferredLanguage(['zh-CN', 'en']), 'zh');
  assert.equal(preferredLanguage(['zh-TW']), 'zh');
  assert.equal(preferredLanguage(['de-DE', 'zh']), 'zh');
  assert.equal(preferredLanguage(['en-GB', 'zh-CN']), 'en');
  assert.equal(preferredLanguage(['fr']), 'en');
  assert.equal(preferredLanguage([]), 'en');
});

test('a language picked with the switch wins over the browser', () => {
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) };
  assert.equal(initialLanguage(storage, ['zh-CN']), 'zh');
  rememberLanguage(storage, 'en');
  assert.equal(initialLanguage(storage, ['zh-CN']), 'en');
  const broken = { getItem() { throw new Error('denied'); }, setItem() { throw new Error('denied'); } };
  assert.equal(initialLanguage(broken, ['zh-CN']), 'zh');
  rememberLanguage(broken, 'en');  // storage may be off: no throw
});

test('every string exists in both languages and differs where it is prose', () => {
  setLanguage('en', doc);
  assert.equal(doc.documentElement.lang, 'en');
  const english = ['tagline', 'queryPlaceholder', 'similar', 'results'].map((k) => t(k));
  assert.equal(t('resultCount', 1, '“a”'), '1 result for “a”');
  setLanguage('zh', doc);
  assert.equal(doc.documentElement.lang, 'zh-CN');
  const chinese = ['tagline', 'queryPlaceholder', 'similar', 'results'].map((k) => t(k));
  chinese.forEach((s, i) => assert.notEqual(s, english[i]));
  assert.match(t('queryPlaceholder'), /红色圆形/);
  assert.equal(t('resultCount', 3, '“红色的圆形”'), '“红色的圆形”：3 个结果');
  assert.equal(setLanguage('xx', doc), 'en');
});
