// `npm start` runs in development mode: error answers must still carry no stack trace or
// file path unless EXPOSE_ERROR_STACKS=true is set on purpose.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestSystem } from '../support/system.js';

interface ErrorBody {
  error: { message: string; data: Record<string, unknown> };
}

describe('error answers in development mode', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({ workers: ['auth'], env: { NODE_ENV: 'development' } });
  });
  after(() => system.stop());

  /** A validation error, a worker's error and a missing token, over plain HTTP. */
  async function answers(): Promise<ErrorBody[]> {
    const post = (path: string, body: unknown) =>
      fetch(`${system.url}/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const responses = [
      await post('auth.register', { username: 'X', email: 'no', password: 'short' }),
      await post('auth.login', { identifier: 'nobody_here', password: 'wrong password' }),
      await fetch(`${system.url}/trpc/user.me`),
    ];
    return Promise.all(responses.map(async (r) => (await r.json()) as ErrorBody));
  }

  test('no stack trace and no file path by default', async () => {
    for (const body of await answers()) {
      assert.equal('stack' in body.error.data, false, JSON.stringify(body.error.data));
      assert.doesNotMatch(JSON.stringify(body), /\/work\/|node_modules|\.ts:\d+|\.js:\d+/);
    }
  });

  test('EXPOSE_ERROR_STACKS=true adds them, for debugging', async () => {
    const gateway = system.gateways[0]!;
    gateway.env.EXPOSE_ERROR_STACKS = 'true';
    await system.restart(gateway);
    for (const body of await answers()) assert.equal(typeof body.error.data.stack, 'string');
  });
});
