// Number formatting shared by the page and the worker's messages.

export function formatBytes(n) {
  if (!Number.isFinite(n) || n < 0) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

// A cosine as the page shows it: "87.3%".
export function formatScore(cosine) {
  return `${(cosine * 100).toFixed(1)}%`;
}

export function formatCount(n) {
  return Number(n).toLocaleString('en-US');
}
