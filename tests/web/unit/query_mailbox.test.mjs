// The worker's one-slot query mailbox (web/js/worker/query_mailbox.js), run
// as the worker runs it: `run` awaits real time, as an encoder does, and
// checks `superseded` before answering.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryMailbox } from '../../../web/js/worker/query_mailbox.js';

// A mailbox whose queries take `ms` each and record what happened to them.
function recordingMailbox(ms = 20) {
  const log = { ran: [], answered: [], errors: [] };
  const box = new QueryMailbox(async (q) => {
    log.ran.push(q.id);
    await sleep(ms);
    if (q.fail) throw new Error(`query ${q.id} failed`);
    if (box.superseded) return false;
    log.answered.push(q.id);
    return true;
  }, (q, err) => log.errors.push([q.id, err.message]));
  const idle = async () => {
    while (box.busy) await sleep(5);
  };
  return { box, log, idle };
}

test('a query on its own is run and answered', async () => {
  const { box, log, idle } = recordingMailbox();
  box.submit({ id: 1 });
  await idle();
  assert.deepEqual(log, { ran: [1], answered: [1], errors: [] });
  assert.deepEqual(box.stats, { received: 1, superseded: 0 });
});

test('a burst: the running query is given up, the waiting ones replaced, the newest answered', async () => {
  const { box, log, idle } = recordingMailbox();
  for (let id = 1; id <= 5; id++) box.submit({ id });
  await idle();
  // 1 started at once and was given up; 2, 3 and 4 were replaced unrun.
  assert.deepEqual(log.ran, [1, 5]);
  assert.deepEqual(log.answered, [5]);
  assert.deepEqual(box.stats, { received: 5, superseded: 4 });
});

test('queries spaced wider than a run are each answered, in order', async () => {
  const { box, log, idle } = recordingMailbox(10);
  for (let id = 1; id <= 3; id++) {
    box.submit({ id });
    await idle();
  }
  assert.deepEqual(log.answered, [1, 2, 3]);
  assert.equal(box.stats.superseded, 0);
});

test('a failure is reported only while its query is the newest', async () => {
  const { box, log, idle } = recordingMailbox();
  box.submit({ id: 1, fail: true });
  await idle();
  assert.deepEqual(log.errors, [[1, 'query 1 failed']]);

  // A query that fails once a newer one is waiting: nobody needs to hear.
  box.submit({ id: 2, fail: true });
  box.submit({ id: 3 });
  await idle();
  assert.deepEqual(log.ran, [1, 2, 3]);
  assert.deepEqual(log.errors, [[1, 'query 1 failed']]);
  assert.deepEqual(log.answered, [3]);
  assert.equal(box.stats.superseded, 1);
});
