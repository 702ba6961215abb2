import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RpcCaller } from '@chat/api';
import { AppError } from '@chat/core';
import { notifyPresence } from '../src/presence/notify.js';

/** A caller that records each `user.presence` input and answers with `answer(n)` for call n. */
function recording(answer: (n: number) => Error | null) {
  const inputs: unknown[] = [];
  const rpc = ((_method: string, input: unknown) => {
    inputs.push(input);
    const err = answer(inputs.length - 1);
    return err ? Promise.reject(err) : Promise.resolve({ ok: true });
  }) as unknown as RpcCaller;
  return { rpc, inputs };
}

test('a storm is told as such; ordinary closes carry no storm field', async () => {
  const { rpc, inputs } = recording(() => null);
  await notifyPresence(rpc, ['a', 'b'], true);
  await notifyPresence(rpc, ['c'], false);
  assert.deepEqual(inputs, [{ userIds: ['a', 'b'], storm: true }, { userIds: ['c'] }]);
});

test('a user worker that refuses `storm` (older, mid-upgrade) is asked again without it', async () => {
  const { rpc, inputs } = recording((n) =>
    n === 0 ? new AppError('BAD_REQUEST', 'Unrecognized key: "storm"') : null,
  );
  await notifyPresence(rpc, ['a'], true);
  assert.deepEqual(inputs, [{ userIds: ['a'], storm: true }, { userIds: ['a'] }]);
});

test('other failures are not retried here: they reach the tracker, which retries and logs them', async () => {
  for (const [storm, err] of [
    [true, new AppError('SERVICE_UNAVAILABLE', 'user worker down')],
    [false, new AppError('BAD_REQUEST', 'bad ids')],
    [true, new Error('bug')],
  ] as const) {
    const { rpc, inputs } = recording(() => err);
    await assert.rejects(notifyPresence(rpc, ['a'], storm), err);
    assert.equal(inputs.length, 1, `${err.message}: asked once`);
  }
});
