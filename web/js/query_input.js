// The query box. A search runs a moment after the last edit, or at once on
// Enter, but never while an input method is composing: typing 红色 with a
// pinyin IME passes through "h", "ho", "hong s", ... which are not queries.
// The committed text arrives with compositionend, which counts as an edit.
// Enter that confirms a candidate (keydown while composing; Safari sends
// keyCode 229 after compositionend) must not submit either.

export function attachQueryInput({ input, form, onQuery, debounceMs = 150 }) {
  let composing = false;
  let timer = 0;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => onQuery(input.value), debounceMs);
  };
  input.addEventListener('compositionstart', () => {
    composing = true;
    clearTimeout(timer);
  });
  input.addEventListener('compositionend', () => {
    composing = false;
    later();
  });
  input.addEventListener('input', (e) => {
    if (composing || e.isComposing) return;
    later();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (composing || e.isComposing || e.keyCode === 229)) e.preventDefault();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (composing) return;
    clearTimeout(timer);
    onQuery(input.value);
  });
  return {
    get composing() { return composing; },
    cancel() { clearTimeout(timer); },
  };
}
