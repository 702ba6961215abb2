import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Lane, type LaneOptions } from '../src/chat/owner/lane.js';

/** A lane whose flushes are recorded and held until released. */
function recordingLane(options: LaneOptions = {}) {
  const flushes: number[][] = [];
  const pending: Array<() => void> = [];
  const lane = new Lane<number, string>(async (items) => {
    flushes.push(items);
    await new Promise<void>((release) => pending.push(release));
    return items.map((i) => `done ${i}`);
  }, options);
  const releaseAll = async () => {
    while (pending.length > 0) {
      pending.splice(0).forEach((release) => release());
      await new Promise((r) => setImmediate(r));
    }
  };
  return { lane, flushes, pending, releaseAll };
}

test('an idle lane flushes at once; items pushed while a flush runs go together in the next one, in order, at most maxBatch each', async () => {
  const { lane, flushes, releaseAll } = recordingLane({ maxBatch: 2, lingerMs: 5 });
  const first = lane.push(1);
  assert.deepEqual(flushes, [[1]], 'no wait: an idle message costs no timer');
  const rest = [2, 3, 4].map((i) => lane.push(i));
  await releaseAll();
  await Promise.all([first, ...rest]);
  assert.deepEqual(flushes, [[1], [2, 3], [4]]);
});

test('a failed flush rejects its own items only; the lane goes on', async () => {
  let calls = 0;
  const lane = new Lane<number, number>((items) => {
    calls++;
    return calls === 1 ? Promise.reject(new Error('store down')) : Promise.resolve(items);
  });
  await assert.rejects(lane.push(1), /store down/);
  assert.equal(await lane.push(2), 2);
});

/** Pushes `count` items one `gapMs` apart on the lane's clock, then lets them all flush. */
async function steadyLoad(
  lane: Lane<number, string>,
  clock: { t: number },
  releaseAll: () => Promise<void>,
  count: number,
  gapMs: number,
) {
  let done = 0;
  for (let i = 0; i < count; i++) {
    clock.t += gapMs;
    void lane.push(1000 + i).then(() => done++);
  }
  // Released whenever they flush: at once, or after a linger.
  while (done < count) {
    await new Promise((r) => setTimeout(r, 1));
    await releaseAll();
  }
}

test('under load an idle lane lingers for more items, then flushes them together; a lull ends it', async () => {
  const clock = { t: 0 };
  const { lane, flushes, releaseAll } = recordingLane({ lingerMs: 30, now: () => clock.t });
  // One item per 10 ms: three due within the 30 ms linger.
  await steadyLoad(lane, clock, releaseAll, 40, 10);
  const before = flushes.length;
  const a = lane.push(1);
  assert.equal(flushes.length, before, 'busy enough: the first item waits');
  clock.t += 10;
  const b = lane.push(2);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(
    flushes.slice(before),
    [[1, 2]],
    'what arrived meanwhile went in the same flush',
  );
  await releaseAll();
  assert.deepEqual(await Promise.all([a, b]), ['done 1', 'done 2']);

  // A second later (on the lane's clock) the load has decayed: no wait again.
  clock.t += 1_000;
  const c = lane.push(3);
  assert.deepEqual(flushes.at(-1), [3]);
  await releaseAll();
  assert.equal(await c, 'done 3');
});

test('a lingering lane flushes as soon as it holds maxBatch items', async () => {
  const clock = { t: 0 };
  const { lane, flushes, releaseAll } = recordingLane({
    lingerMs: 50,
    maxBatch: 3,
    now: () => clock.t,
  });
  await steadyLoad(lane, clock, releaseAll, 40, 10);
  const before = flushes.length;
  const pushed = [1, 2].map((i) => lane.push(i));
  assert.equal(flushes.length, before);
  pushed.push(lane.push(3));
  assert.deepEqual(flushes.slice(before), [[1, 2, 3]], 'full: no wait for the timer');
  await releaseAll();
  await Promise.all(pushed);
});

for (const [gapMs, lingerMs, why] of [
  [20, 5, 'a quarter of an item due within the linger'],
  [10, 15, 'one and a half items due within the linger: waiting would cost more than it saves'],
] as const)
  test(`items far apart never wait, even with a linger set (${why})`, async () => {
    const clock = { t: 0 };
    const { lane, flushes, releaseAll } = recordingLane({ lingerMs, now: () => clock.t });
    for (let i = 0; i < 60; i++) {
      clock.t += gapMs;
      const before = flushes.length;
      const pushed = lane.push(i);
      assert.equal(flushes.length, before + 1, `item ${i} flushed at once`);
      await releaseAll();
      await pushed;
    }
  });
