import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadWorkerEnv } from '../src/env.js';

// A plain .mjs (tools run before dependencies are installed): typed here by its use.
const vapidModule = fileURLToPath(new URL('../../../tools/lib/vapid.mjs', import.meta.url));
const { generateVapidKeys: pair } = (await import(vapidModule)) as {
  generateVapidKeys: () => { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string };
};
const secret = 'x'.repeat(40);
const production = {
  NODE_ENV: 'production',
  JWT_ACCESS_SECRET: `a${secret}`,
  JWT_REFRESH_SECRET: `r${secret}`,
  FILE_URL_SECRET: `f${secret}`,
};

describe('VAPID configuration', () => {
  test('production refuses to start without the key pair', () => {
    assert.throws(() => loadWorkerEnv(production), /VAPID_PUBLIC_KEY: is required in production/);
    assert.throws(() => loadWorkerEnv(production), /VAPID_PRIVATE_KEY: is required in production/);
    const keys = pair();
    const env = loadWorkerEnv({ ...production, ...keys });
    assert.equal(env.VAPID_PUBLIC_KEY, keys.VAPID_PUBLIC_KEY);
    assert.equal(env.VAPID_SUBJECT, 'mailto:admin@localhost');
  });

  test('development falls back to a valid pair', () => {
    const env = loadWorkerEnv({ NODE_ENV: 'development' });
    assert.equal(Buffer.from(env.VAPID_PUBLIC_KEY, 'base64url').length, 65);
    assert.equal(Buffer.from(env.VAPID_PRIVATE_KEY, 'base64url').length, 32);
  });

  test('keys of the wrong size, two keys of different pairs, or a bad subject are refused', () => {
    const [one, two] = [pair(), pair()];
    assert.throws(
      () =>
        loadWorkerEnv({
          VAPID_PUBLIC_KEY: one.VAPID_PUBLIC_KEY,
          VAPID_PRIVATE_KEY: two.VAPID_PRIVATE_KEY,
        }),
      /VAPID_PUBLIC_KEY: is not the public key of VAPID_PRIVATE_KEY/,
    );
    assert.throws(
      () => loadWorkerEnv({ ...one, VAPID_PUBLIC_KEY: one.VAPID_PUBLIC_KEY.slice(0, 40) }),
      /VAPID_PUBLIC_KEY: must decode to 65 bytes/,
    );
    assert.throws(
      () => loadWorkerEnv({ ...one, VAPID_SUBJECT: 'admin@example.com' }),
      /VAPID_SUBJECT/,
    );
    assert.equal(
      loadWorkerEnv({ ...one, VAPID_SUBJECT: 'https://example.com/contact' }).VAPID_SUBJECT,
      'https://example.com/contact',
    );
  });
});
