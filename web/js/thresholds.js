// Minimum-similarity thresholds, one per query kind. CLIP's text-to-image
// cosines sit around 0.2-0.35 while image-to-image matches run 0.6-1.0, so one
// shared number would either hide every text result or let every image
// through. Each kind keeps its own absolute cosine; the `min-score` control
// shows (and edits) the value of the kind of the current query.

export const KINDS = ['text', 'image'];

// Starting values: 0 shows the best k whatever their score; users raise it.
export const DEFAULT_MIN = { text: 0, image: 0 };

// "0.25" and "25" both mean 25%: values above 1 are read as percentages.
// Returns a cosine in [-1, 1], or null for empty/invalid input.
export function parseMinScore(text) {
  if (text === null || text === undefined) return null;
  const s = String(text).trim().replace(/%$/, '');
  if (s === '') return null;
  let v = Number(s);
  if (!Number.isFinite(v)) return null;
  if (v > 1) v /= 100;
  return Math.max(-1, Math.min(1, v));
}

export class Thresholds {
  constructor() {
    this.values = { ...DEFAULT_MIN };
  }
  get(kind) {
    return this.values[kind];
  }
  set(kind, cosine) {
    this.values[kind] = cosine ?? DEFAULT_MIN[kind];
  }
}

// Cosine -> the number shown in the percentage control.
export function toPercentInput(cosine) {
  return String(Math.round(cosine * 1000) / 10);
}
