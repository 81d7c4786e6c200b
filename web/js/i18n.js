// The page's own words in English and Chinese. The language is the reader's:
// the first of navigator.languages that the page speaks (zh, zh-CN, zh-TW,
// ... read Chinese), unless they picked one with the switch, which is kept
// in localStorage. Text from an index (captions) and from the worker's
// status messages is shown as it comes.

export const UI_LANGUAGES = { en: 'English', zh: '中文' };
const STORAGE_KEY = 'clipsearch.ui-language';

const STRINGS = {
  en: {
    skip: 'Skip to results',
    tagline: 'Search images by meaning. Everything runs on this device; nothing is uploaded.',
    queryLabel: 'Describe the image you are looking for',
    queryPlaceholder: 'Describe an image, e.g. “a small red circle on the left”',
    drop: 'Drop a photo here, paste one, or',
    chooseFile: 'choose a file',
    results: 'Results',
    minSimilarity: 'Min. similarity',
    minTitle: 'Hide results whose similarity is below this percentage. Text and image queries keep separate values.',
    excludeSelf: 'Hide the query image itself',
    clearImage: 'Clear image query',
    backend: 'Backend:',
    footer: 'Models run with ONNX Runtime Web; search runs in WebAssembly.',
    uiLanguage: 'Language',
    queryLanguage: 'Query language',
    langAuto: 'Automatic',
    kindText: 'text',
    kindImage: 'image',
    similar: 'Similar',
    similarAria: (caption) => `Find images similar to: ${caption}`,
    original: 'Original ↗',
    originalAria: (caption) => `Open the original of: ${caption}`,
    scoreTitle: (cosine) => `cosine similarity ${cosine}`,
    noResults: (what) => `No images above the minimum similarity for ${what}.`,
    resultCount: (n, what) => `${n} result${n === 1 ? '' : 's'} for ${what}`,
    partialResults: (searched, total) => `Partial results: ${searched} of ${total} images searched so far; they update as the index arrives.`,
    partialSuffix: ' (partial)',
    describeText: (text) => `“${text}”`,
    describeImage: (name) => `the image ${name}`,
    describeSimilar: (caption) => `images similar to “${caption}”`,
    chipImage: (name) => `Image: ${name}`,
    chipSimilar: (caption) => `Similar to: ${caption}`,
    pastedImage: 'pasted image',
    image: 'image',
    duplicatesButton: 'Find duplicates',
    duplicatesTitle: 'Duplicates',
    dupThreshold: 'Same from',
    dupThresholdTitle: 'Two images whose similarity is at least this percentage count as near-duplicates.',
    closeDuplicates: 'Back to search',
    keep: 'keep',
    scoreToKeeper: (cosine) => `cosine similarity with the image to keep: ${cosine}`,
    keeperAria: (caption, w, h) => `Keep: ${caption}, ${w}×${h}`,
    memberAria: (caption, score, w, h) => `${caption}: ${score} similar to the image to keep, ${w}×${h}`,
    dupProgress: (done, total) => `${done} of ${total} images compared`,
    dupScanning: (done, total, threshold) => `Comparing every image with every other: ${done} of ${total} (same from ${threshold})…`,
    dupSummary: (groups, images, total, threshold) => `${groups} group${groups === 1 ? '' : 's'} of near-duplicates: ${images} of ${total} images are the same from ${threshold}.`,
    dupNone: (total, threshold) => `No near-duplicates among ${total} images (same from ${threshold}).`,
    groupAria: (i, n, m) => `Group ${i} of ${n}: ${m} images`,
    groupTitle: (i, m) => `Group ${i} · ${m} images`,
    baseWeight: 'Weight of this image in the query',
    combineHint: 'Type + or − to combine with this image: “+ at night”, “- people”',
    termsLabel: 'Query terms',
    termSimilar: (id) => `similar: ${id}`,
    removeTerm: (text) => `Remove “${text}” from the query`,
    weightOf: (text) => `Weight of “${text}”`,
    describeCombined: (what, text) => `${what} ${text}`,
    noCloseMatch: 'No close match — showing the nearest.',
    unknownWords: (model, words) => `The ${model} model does not know: ${words}.`,
    theModel: 'this',
    whatIsThis: 'What is this?',
    whatIsThisAria: (caption) => `What is this: ${caption}`,
    labelsTitle: (name) => `What is this? ${name}`,
    labelsLabel: 'Labels to choose from',
    labelsPlaceholder: 'Labels, separated by commas (empty: this index’s list)',
    labelsRun: 'Label',
    closeLabels: 'Close',
    labelsFromIndex: (n) => `Best of the index’s ${n} labels`,
    labelsTyped: (n) => `Best of your ${n} labels`,
  },
  zh: {
    skip: '跳到结果',
    tagline: '按含义搜索图片。一切都在本机运行，不上传任何内容。',
    queryLabel: '描述你要找的图片',
    queryPlaceholder: '描述一张图片，例如“左边的红色圆形”',
    drop: '把照片拖到这里、粘贴，或',
    chooseFile: '选择文件',
    results: '结果数',
    minSimilarity: '最低相似度',
    minTitle: '隐藏相似度低于此百分比的结果。文字查询和图片查询各有各的值。',
    excludeSelf: '不显示查询图片本身',
    clearImage: '清除图片查询',
    backend: '后端：',
    footer: '模型由 ONNX Runtime Web 运行；搜索在 WebAssembly 中运行。',
    uiLanguage: '语言',
    queryLanguage: '查询语言',
    langAuto: '自动',
    kindText: '文字',
    kindImage: '图片',
    similar: '相似',
    similarAria: (caption) => `查找与此相似的图片：${caption}`,
    original: '原图 ↗',
    originalAria: (caption) => `打开原图：${caption}`,
    scoreTitle: (cosine) => `余弦相似度 ${cosine}`,
    noResults: (what) => `没有相似度达到下限的图片：${what}。`,
    resultCount: (n, what) => `${what}：${n} 个结果`,
    partialResults: (searched, total) => `部分结果：目前已搜索 ${total} 张图片中的 ${searched} 张，索引加载完后会更新。`,
    partialSuffix: '（部分）',
    describeText: (text) => `“${text}”`,
    describeImage: (name) => `图片 ${name}`,
    describeSimilar: (caption) => `与“${caption}”相似的图片`,
    chipImage: (name) => `图片：${name}`,
    chipSimilar: (caption) => `相似于：${caption}`,
    pastedImage: '粘贴的图片',
    image: '图片',
    duplicatesButton: '查找重复图片',
    duplicatesTitle: '重复图片',
    dupThreshold: '相同阈值',
    dupThresholdTitle: '相似度不低于此百分比的两张图片算作近似重复。',
    closeDuplicates: '返回搜索',
    keep: '保留',
    scoreToKeeper: (cosine) => `与保留图片的余弦相似度：${cosine}`,
    keeperAria: (caption, w, h) => `保留：${caption}，${w}×${h}`,
    memberAria: (caption, score, w, h) => `${caption}：与保留图片相似度 ${score}，${w}×${h}`,
    dupProgress: (done, total) => `已比较 ${done} / ${total} 张图片`,
    dupScanning: (done, total, threshold) => `正在两两比较所有图片：${done} / ${total}（阈值 ${threshold}）…`,
    dupSummary: (groups, images, total, threshold) => `${groups} 组近似重复：${total} 张图片中有 ${images} 张在阈值 ${threshold} 以上。`,
    dupNone: (total, threshold) => `${total} 张图片中没有近似重复（阈值 ${threshold}）。`,
    groupAria: (i, n, m) => `第 ${i} 组，共 ${n} 组：${m} 张图片`,
    groupTitle: (i, m) => `第 ${i} 组 · ${m} 张图片`,
    baseWeight: '此图片在查询中的权重',
    combineHint: '输入 + 或 − 与此图片组合：“+ at night”、“- people”',
    termsLabel: '查询词',
    termSimilar: (id) => `相似：${id}`,
    removeTerm: (text) => `从查询中删除“${text}”`,
    weightOf: (text) => `“${text}”的权重`,
    describeCombined: (what, text) => `${what} ${text}`,
    noCloseMatch: '没有接近的匹配，显示最接近的结果。',
    unknownWords: (model, words) => `${model} 模型不认识：${words}。`,
    theModel: '此',
    whatIsThis: '这是什么？',
    whatIsThisAria: (caption) => `这是什么：${caption}`,
    labelsTitle: (name) => `这是什么？${name}`,
    labelsLabel: '候选标签',
    labelsPlaceholder: '标签，用逗号分隔（留空：使用索引自带的列表）',
    labelsRun: '标注',
    closeLabels: '关闭',
    labelsFromIndex: (n) => `索引的 ${n} 个标签中最接近的`,
    labelsTyped: (n) => `你的 ${n} 个标签中最接近的`,
  },
};

// The page language for a list of BCP 47 tags (navigator.languages).
export function preferredLanguage(tags) {
  for (const tag of tags || []) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (base in STRINGS) return base;
  }
  return 'en';
}

let current = 'en';

export function language() {
  return current;
}

// The string `key` in the current language; functions take arguments.
export function t(key, ...args) {
  const s = STRINGS[current][key] ?? STRINGS.en[key];
  return typeof s === 'function' ? s(...args) : s;
}

// Sets the language and rewrites every element that names a string:
// data-i18n (text), data-i18n-placeholder, data-i18n-title, data-i18n-aria-label.
export function setLanguage(lang, root = document) {
  current = lang in STRINGS ? lang : 'en';
  root.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  for (const [attr, prop] of [['i18n', null], ['i18nPlaceholder', 'placeholder'], ['i18nTitle', 'title'],
    ['i18nAriaLabel', 'aria-label']]) {
    const sel = `[data-${attr.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`;
    for (const el of root.querySelectorAll(sel)) {
      if (prop) el.setAttribute(prop, t(el.dataset[attr]));
      else el.textContent = t(el.dataset[attr]);
    }
  }
  return current;
}

// The reader's choice from an earlier visit, else their browser's languages.
export function initialLanguage(storage, tags) {
  let saved = null;
  try {
    saved = storage?.getItem(STORAGE_KEY);
  } catch { /* storage may be off */ }
  return saved && saved in STRINGS ? saved : preferredLanguage(tags);
}

export function rememberLanguage(storage, lang) {
  try {
    storage?.setItem(STORAGE_KEY, lang);
  } catch { /* storage may be off */ }
}
