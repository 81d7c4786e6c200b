// The search lives in the URL so it can be shared or reloaded:
//   q        text query
//   similar  id of an indexed image to search with (its stored vector)
//   k        number of results
//   min      minimum similarity of the query's kind, a cosine (0.25) or a
//            percentage (25); see thresholds.js
//   index    index folder or URL (default "index/")
//   model    model folder or URL (default: where the index manifest points)
//   backend  "webgpu" or "wasm" (default: WebGPU when an adapter exists)
//   lang     which text tower reads a text query: "en", "zh" or "auto"
//            (default: a query with Chinese characters goes to "zh")
//   view     "duplicates" opens the Duplicates view
//   dup      its threshold, a cosine or a percentage (default: the core's)
// history.replaceState keeps it current without filling the Back history.

import { parseMinScore } from './thresholds.js';

export const DEFAULT_K = 24;
export const MAX_K = 500;
export const DEFAULT_INDEX = 'index/';

export function parseTopK(text) {
  const k = Math.round(Number(text));
  if (!Number.isFinite(k) || k < 1) return null;
  return Math.min(k, MAX_K);
}

export function parseBackend(text) {
  const b = (text || '').trim().toLowerCase();
  return b === 'webgpu' || b === 'wasm' ? b : null;
}

export function parseQueryLanguage(text) {
  const l = (text || '').trim().toLowerCase();
  return /^[a-z]{2,3}(-[a-z0-9]+)?$/.test(l) ? l : 'auto';
}

// `tiers`: 'on' loads any version-2 index in tiers (heads first, rows on
// demand), 'off' never; the default lets the core decide by size.
export function parseTiers(text) {
  const t = (text || '').trim().toLowerCase();
  return t === 'on' || t === 'off' ? t : 'auto';
}

export function readUrlState(href) {
  const p = new URL(href).searchParams;
  return {
    q: p.get('q') || '',
    similar: p.get('similar') || '',
    k: parseTopK(p.get('k')) ?? DEFAULT_K,
    min: parseMinScore(p.get('min')),  // null when absent
    index: p.get('index') || DEFAULT_INDEX,
    model: p.get('model') || '',
    backend: parseBackend(p.get('backend')),
    lang: parseQueryLanguage(p.get('lang')),
    view: p.get('view') === 'duplicates' ? 'duplicates' : '',
    dup: parseMinScore(p.get('dup')),  // null when absent
    tiers: parseTiers(p.get('tiers')),
  };
}

// Writes the given fields, dropping empty ones and defaults; parameters this
// page does not know are kept.
export function writeUrlState(fields) {
  const url = new URL(location.href);
  const p = url.searchParams;
  const set = (name, value, isDefault = false) => {
    if (value === '' || value === null || value === undefined || isDefault) p.delete(name);
    else p.set(name, String(value));
  };
  if ('q' in fields) set('q', fields.q);
  if ('similar' in fields) set('similar', fields.similar);
  if ('k' in fields) set('k', fields.k, fields.k === DEFAULT_K);
  if ('min' in fields) set('min', fields.min === null ? null : formatCosine(fields.min));
  if ('lang' in fields) set('lang', fields.lang, fields.lang === 'auto');
  if ('view' in fields) set('view', fields.view);
  if ('dup' in fields) set('dup', fields.dup === null ? null : formatCosine(fields.dup));
  const next = url.pathname + (p.toString() ? `?${p}` : '') + url.hash;
  if (next !== location.pathname + location.search + location.hash) history.replaceState(null, '', next);
}

// Six decimals: a threshold set between two close scores survives a reload.
function formatCosine(c) {
  return String(Math.round(c * 1e6) / 1e6);
}
