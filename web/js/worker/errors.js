// Failures the user can act on, each with a message that says what failed,
// where, and what to do. `kind` lets tests and the page tell them apart.

import { formatBytes } from '../format.js';

export class UserError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

// The wasm core throws a ClipError (docs/WASM_API.md) when it refuses input;
// its message already says what, where and what was expected.
export function isCoreError(err) {
  return err instanceof Error && err.name === 'ClipError';
}

// Runs `call` (a core call); a refusal by the core becomes a UserError of
// `kind` whose message is `describe(core's message)`. Anything else (out of
// memory, a bug) passes through for explain().
export function coreRefusal(kind, describe, call) {
  try {
    return call();
  } catch (err) {
    if (isCoreError(err)) throw new UserError(kind, describe(err.message));
    throw err;
  }
}

// Browsers report exhausted memory in several shapes; recognise them so the
// user is told "out of memory" rather than a stack trace.
export function isOutOfMemory(err) {
  const text = String(err && (err.message || err));
  return err instanceof RangeError && /alloc|memory|buffer/i.test(text) ||
    /out of memory|\bOOM\b|bad_alloc|Cannot enlarge memory|could not allocate|Failed to allocate/i.test(text);
}

// Wraps anything thrown while doing `what` into a UserError.
export function explain(err, what) {
  if (err instanceof UserError) return err;
  if (isOutOfMemory(err)) {
    return new UserError('oom', `Out of memory while ${what}. Close other tabs, or use a smaller index or model.`);
  }
  const text = String(err && (err.message || err)).split('\n')[0];
  return new UserError('internal', `Failed while ${what}: ${text}`);
}

export function tooLargeError(needed, budget, deviceMemoryGb) {
  const device = deviceMemoryGb ? `this device reports ${deviceMemoryGb} GB of memory` : 'this browser does not report its memory';
  return new UserError('too-large',
    `This index needs ${formatBytes(needed)} of memory, but ${device}, which allows about ${formatBytes(budget)} ` +
    `for an index. Open it on a device with more memory, or build a smaller index (fewer images per index).`);
}
