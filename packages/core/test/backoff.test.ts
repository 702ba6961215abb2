import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { backoffDelay, retry } from '../src/backoff.js';

describe('backoffDelay', () => {
  const ceilingOf = (attempt: number, base: number, max: number) =>
    Math.min(max, base * 2 ** Math.max(0, attempt - 1));

  test('stays within [ceiling/2, ceiling] for random draws', () => {
    for (let attempt = 0; attempt <= 12; attempt++) {
      const ceiling = ceilingOf(attempt, 200, 10_000);
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(attempt);
        assert.ok(
          d >= ceiling / 2 && d <= ceiling,
          `attempt ${attempt}: ${d} not in [${ceiling / 2}, ${ceiling}]`,
        );
      }
    }
  });

  test('hits both ends of the range at the extremes of Math.random', () => {
    const random = mock.method(Math, 'random', () => 0);
    try {
      assert.equal(backoffDelay(1, 200, 10_000), 100);
      assert.equal(backoffDelay(3, 200, 10_000), 400);
      random.mock.mockImplementation(() => 0.999999);
      assert.equal(backoffDelay(1, 200, 10_000), 200);
      assert.equal(backoffDelay(3, 200, 10_000), 800);
    } finally {
      random.mock.restore();
    }
  });

  test('doubles per attempt and caps at max', () => {
    const random = mock.method(Math, 'random', () => 0.999999);
    try {
      assert.deepEqual(
        [1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, 100, 1_000)),
        [100, 200, 400, 800, 1_000, 1_000, 1_000],
      );
      // Far past the cap (2 ** 1000 would overflow to Infinity without the min).
      assert.equal(backoffDelay(1_000, 100, 1_000), 1_000);
      for (let i = 0; i < 100; i++) assert.ok(backoffDelay(50) <= 10_000);
    } finally {
      random.mock.restore();
    }
  });

  test('attempt 0 and negative attempts use the base', () => {
    const random = mock.method(Math, 'random', () => 0.999999);
    try {
      assert.equal(backoffDelay(0, 300, 10_000), 300);
      assert.equal(backoffDelay(-3, 300, 10_000), 300);
    } finally {
      random.mock.restore();
    }
  });
});

describe('retry', () => {
  test('returns at once when the first try succeeds', async () => {
    const fn = mock.fn(() => Promise.resolve('ok'));
    const onError = mock.fn();
    assert.equal(await retry(fn, { attempts: 3, onError }), 'ok');
    assert.equal(fn.mock.callCount(), 1);
    assert.equal(onError.mock.callCount(), 0);
  });

  test('retries after failures, then succeeds', async () => {
    let calls = 0;
    const seen: Array<[string, number, number]> = [];
    const result = await retry(
      () => {
        calls++;
        return calls < 3 ? Promise.reject(new Error(`fail ${calls}`)) : Promise.resolve(calls);
      },
      {
        attempts: 5,
        onError: (err, attempt, delay) => seen.push([(err as Error).message, attempt, delay]),
      },
    );
    assert.equal(result, 3);
    assert.equal(calls, 3);
    assert.deepEqual(
      seen.map(([m, a]) => [m, a]),
      [
        ['fail 1', 1],
        ['fail 2', 2],
      ],
    );
    // The reported delay is the backoff of that attempt.
    assert.ok(seen[0]![2] >= 100 && seen[0]![2] <= 200);
    assert.ok(seen[1]![2] >= 200 && seen[1]![2] <= 400);
  });

  test('gives up after N attempts and rethrows the last error', async () => {
    let calls = 0;
    const onError = mock.fn();
    await assert.rejects(
      retry(
        () => {
          calls++;
          return Promise.reject(new Error(`fail ${calls}`));
        },
        { attempts: 3, onError },
      ),
      { message: 'fail 3' },
    );
    assert.equal(calls, 3);
    // No report (and no wait) after the final failure.
    assert.equal(onError.mock.callCount(), 2);
  });

  test('attempts: 1 means a single try', async () => {
    const fn = mock.fn(() => Promise.reject(new Error('only')));
    await assert.rejects(retry(fn, { attempts: 1 }), { message: 'only' });
    assert.equal(fn.mock.callCount(), 1);
  });
});
