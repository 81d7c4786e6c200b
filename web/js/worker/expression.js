// A query as terms: the page's base (a dropped photo or a result's
// "Similar"), when there is one, then the terms of the search box's
// expression ("2:a beach + 0.5:red - people", parsed by the core's
// parseQuery, the CLI's --query syntax). Each term is embedded by what it
// names and the core combines them (combineEmbeddings: the weighted sum of
// the normalised embeddings, normalised), so the page and
// `clipsearch search --query` give the same vector.

import { UserError, coreRefusal } from './errors.js';

// The box's terms, parsed by the core; an error names the character.
export function parseBox(core, text) {
  if (!text || !text.trim()) return [];
  return coreRefusal('query', (why) => why.replace(/^query: /, 'Query: '), () => core.parseQuery(text))
    .map((t) => ({ ...t, source: 'box' }));
}

// Every term of query `q`: {source: 'base'|'box', kind: 'photo'|'id'|'text'|'url', text, weight}.
export function queryTerms(core, q) {
  const terms = [];
  if (q.kind === 'image') terms.push({ source: 'base', kind: 'photo', text: q.name || '', weight: q.baseWeight ?? 1 });
  if (q.kind === 'similar') terms.push({ source: 'base', kind: 'id', text: q.id, weight: q.baseWeight ?? 1 });
  terms.push(...parseBox(core, q.text));
  if (!terms.length) throw new UserError('query', 'Query: the expression is empty.');
  return terms;
}

// The query's embedding: one term of weight 1 is its own embedding (the
// plain text, photo and "Similar" queries); more are combined by the core.
// `embedTerm(term)` -> Float32Array.
export async function embedTerms(core, terms, dim, embedTerm) {
  const rows = [];
  for (const term of terms) rows.push(await embedTerm(term));
  if (rows.length === 1 && terms[0].weight === 1) return rows[0];
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => flat.set(r, i * dim));
  return coreRefusal('query', (why) => why.replace(/^query: /, 'Query: '),
    () => core.combineEmbeddings(flat, Float32Array.from(terms, (t) => t.weight), dim));
}

// Judged against images when any positive term is an image, else against captions.
export const imageModality = (terms) => terms.some((t) => t.weight > 0 && t.kind !== 'text');

// The first positive indexed image among the terms (left out with "Hide the
// query image itself"): the photo's indexed copy, or a similar: id.
export function selfIdOf(terms, photoSelfId) {
  for (const t of terms) {
    if (!(t.weight > 0)) continue;
    if (t.kind === 'photo' && photoSelfId) return photoSelfId;
    if (t.kind === 'id') return t.text;
  }
  return '';
}

// The expression a link can carry: the base as similar:ID when it is
// indexed (a photo that is not cannot live in a URL: null), then the box.
export function shareableExpression(core, terms, photoSelfId) {
  const written = [];
  for (const t of terms) {
    if (t.kind === 'photo') {
      if (!photoSelfId) return null;
      written.push({ kind: 'id', text: photoSelfId, weight: t.weight });
    } else {
      written.push({ kind: t.kind, text: t.text, weight: t.weight });
    }
  }
  try {
    return core.formatQuery(written);
  } catch {
    return null;  // an id with a '"' cannot be written; the search still ran
  }
}

// Box terms with one changed (weight) or removed (weight null), written
// back as the box's text by the core. `combine`: the box adds to a photo or
// "Similar" base, so its text starts with an operator ("+ at night").
export function editBox(core, text, index, weight, combine = false) {
  const terms = parseBox(core, text);
  if (!(index >= 0 && index < terms.length)) throw new UserError('query', `Query: there is no term ${index + 1} to edit.`);
  if (weight === null) terms.splice(index, 1);
  else terms[index] = { ...terms[index], weight: Math.sign(terms[index].weight) * weight };
  if (!terms.length) return '';
  const written = core.formatQuery(terms);
  return combine && terms[0].weight > 0 ? `+ ${written}` : written;
}
