// The IME-safe query box (web/js/query_input.js) with events as Chromium
// sends them while a pinyin input method composes 红色: no query runs during
// the composition, one runs after it ends; Enter that confirms a candidate
// does not submit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { attachQueryInput } from '../../../web/js/query_input.js';

// An input and a form as event targets, with the properties the module reads.
function box() {
  const input = new EventTarget();
  input.value = '';
  const form = new EventTarget();
  const sent = [];
  const q = attachQueryInput({ input, form, onQuery: (v) => sent.push(v), debounceMs: 10 });
  const fire = (target, type, props = {}) => {
    const e = new Event(type, { cancelable: true });
    Object.assign(e, props);
    target.dispatchEvent(e);
    return e;
  };
  return { input, form, sent, q, fire };
}

test('typing without an IME queries once, after the pause', async () => {
  const { input, sent, fire } = box();
  for (const v of ['r', 're', 'red']) {
    input.value = v;
    fire(input, 'input');
  }
  await sleep(40);
  assert.deepEqual(sent, ['red']);
});

test('nothing runs mid-composition; the committed text runs on compositionend', async () => {
  const { input, form, sent, q, fire } = box();
  fire(input, 'compositionstart');
  for (const v of ['h', 'hong', 'hong s', 'hong se']) {
    input.value = v;
    fire(input, 'input', { isComposing: true });
    await sleep(15);  // longer than the debounce: a naive box would have searched
  }
  assert.equal(q.composing, true);
  const enter = fire(input, 'keydown', { key: 'Enter', isComposing: true });
  assert.equal(enter.defaultPrevented, true, 'Enter that picks a candidate must not submit');
  fire(form, 'submit');
  assert.deepEqual(sent, []);
  input.value = '红色';
  fire(input, 'compositionend');
  await sleep(40);
  assert.deepEqual(sent, ['红色']);
  assert.equal(q.composing, false);
});

test('Enter after the composition submits at once', () => {
  const { input, form, sent, fire } = box();
  input.value = '红色的圆形';
  const enter = fire(input, 'keydown', { key: 'Enter', isComposing: false, keyCode: 13 });
  assert.equal(enter.defaultPrevented, false);
  const submit = fire(form, 'submit');
  assert.equal(submit.defaultPrevented, true);  // the page stays, the query runs
  assert.deepEqual(sent, ['红色的圆形']);
});
