// Minimum-similarity thresholds, one per query kind. CLIP's text-to-image
// cosines sit around 0.2-0.35 while image-to-image matches run 0.6-1.0, so one
// shared number would either hide every text result or let every image
// through. Each kind keeps its own absolute cosine; the `min-score` control
// shows (and edits) the value of the kind of the current query.

export const KINDS = ['text', 'image'];

// Starting values: none (null), so a query shows its best k whatever their
// scores, as a search box should; a user who wants a floor sets one per kind.
export const DEFAULT_MIN = { text: null, image: null };

// "0.25" and "25" both mean 25%: values beyond ±1 are read as percentages.
// Returns a cosine in [-1, 1], or null for empty/invalid input.
export function parseMinScore(text) {
  if (text === null || text === undefined) return null;
  const s = String(text).trim().replace(/%$/, '');
  if (s === '') return null;
  let v = Number(s);
  if (!Number.isFinite(v)) return null;
  if (Math.abs(v) > 1) v /= 100;
  return Math.max(-1, Math.min(1, v));
}

export class Thresholds {
  constructor() {
    this.values = { ...DEFAULT_MIN };
  }
  // A cosine, or null when this kind has no minimum.
  get(kind) {
    return this.values[kind];
  }
  set(kind, cosine) {
    this.values[kind] = cosine ?? DEFAULT_MIN[kind];
  }
}

// Cosine -> the number shown in the percentage control ("" = no minimum),
// as precise as the URL keeps it, so what was typed is what is shown.
export function toPercentInput(cosine) {
  return cosine === null ? '' : String(Math.round(cosine * 1e6) / 1e4);
}
