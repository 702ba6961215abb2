import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { z } from 'zod';
import {
  commonEnv,
  envBool,
  envDevOnlyBool,
  envInt,
  envList,
  envSecret,
  jwtEnv,
  parseEnv,
} from '../src/env.js';

describe('parseEnv', () => {
  const schema = z.object({
    PORT: envInt(4000),
    DEBUG: envBool(false),
    NAME: z.string().default('chat'),
    ORIGINS: envList('http://a.test,http://b.test'),
  });

  test('applies defaults when variables are absent', () => {
    assert.deepEqual(parseEnv(schema, {}), {
      PORT: 4000,
      DEBUG: false,
      NAME: 'chat',
      ORIGINS: ['http://a.test', 'http://b.test'],
    });
  });

  test('coerces strings to numbers and booleans', () => {
    const env = parseEnv(schema, { PORT: '8080', DEBUG: 'true' });
    assert.equal(env.PORT, 8080);
    assert.equal(env.DEBUG, true);
    assert.equal(parseEnv(schema, { DEBUG: '1' }).DEBUG, true);
    assert.equal(parseEnv(schema, { DEBUG: '0' }).DEBUG, false);
    assert.equal(parseEnv(schema, { DEBUG: 'false' }).DEBUG, false);
  });

  test('an empty string means unset', () => {
    const env = parseEnv(schema, { PORT: '', DEBUG: '', NAME: '', ORIGINS: '' });
    assert.equal(env.PORT, 4000);
    assert.equal(env.DEBUG, false);
    assert.equal(env.NAME, 'chat');
    assert.deepEqual(env.ORIGINS, ['http://a.test', 'http://b.test']);
  });

  test('ignores variables the schema does not name', () => {
    const env = parseEnv(schema, { OTHER: 'x', PORT: '1' });
    assert.deepEqual(Object.keys(env).sort(), ['DEBUG', 'NAME', 'ORIGINS', 'PORT']);
  });

  test('a bad value throws an error naming the variable', () => {
    assert.throws(() => parseEnv(schema, { PORT: 'eighty' }), /Invalid configuration[\s\S]*PORT/);
    assert.throws(() => parseEnv(schema, { PORT: '-1' }), /PORT/);
    assert.throws(() => parseEnv(schema, { PORT: '1.5' }), /PORT/);
    assert.throws(() => parseEnv(schema, { DEBUG: 'yes' }), /DEBUG/);
  });

  test('names every bad variable, one per line', () => {
    assert.throws(
      () => parseEnv(schema, { PORT: 'x', DEBUG: 'maybe' }),
      (err: Error) => {
        const lines = err.message.split('\n');
        assert.ok(
          lines.some((l) => l.trim().startsWith('PORT:')),
          err.message,
        );
        assert.ok(
          lines.some((l) => l.trim().startsWith('DEBUG:')),
          err.message,
        );
        return true;
      },
    );
  });

  test('reads process.env by default', () => {
    const key = 'CORE_TEST_PARSE_ENV_PORT';
    process.env[key] = '1234';
    try {
      assert.equal(parseEnv(z.object({ [key]: envInt(1) }))[key], 1234);
    } finally {
      delete process.env[key];
    }
  });

  test('commonEnv defaults and validation', () => {
    const env = parseEnv(z.object(commonEnv), {});
    assert.equal(env.NODE_ENV, 'development');
    assert.equal(env.LOG_LEVEL, 'info');
    assert.equal(env.LOG_PRETTY, false);
    assert.equal(env.BUS_NAMESPACE, '');
    assert.throws(() => parseEnv(z.object(commonEnv), { AMQP_URL: 'not a url' }), /AMQP_URL/);
    assert.throws(() => parseEnv(z.object(commonEnv), { BUS_NAMESPACE: 'a b' }), /BUS_NAMESPACE/);
    assert.throws(() => parseEnv(z.object(commonEnv), { NODE_ENV: 'staging' }), /NODE_ENV/);
  });
});

describe('envList', () => {
  const schema = z.object({ LIST: envList('x, y') });

  test('splits on commas, trims and drops empty entries', () => {
    assert.deepEqual(parseEnv(schema, { LIST: ' a , b,,c ,' }).LIST, ['a', 'b', 'c']);
  });

  test('uses (and splits) the fallback when unset', () => {
    assert.deepEqual(parseEnv(schema, {}).LIST, ['x', 'y']);
  });

  test('a list of only separators is empty', () => {
    assert.deepEqual(parseEnv(schema, { LIST: ' , ,' }).LIST, []);
  });
});

describe('envSecret', () => {
  const schema = z.object({ SECRET: envSecret('dev-fallback-secret-0123456789abcdef') });
  const strong = 'a-real-secret-of-at-least-32-characters!';
  let saved: string | undefined;

  beforeEach(() => {
    saved = process.env.NODE_ENV;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved;
  });

  test('falls back to the development value outside production', () => {
    for (const mode of ['development', 'test']) {
      process.env.NODE_ENV = mode;
      assert.equal(parseEnv(schema, {}).SECRET, 'dev-fallback-secret-0123456789abcdef');
      assert.equal(parseEnv(schema, { SECRET: '' }).SECRET, 'dev-fallback-secret-0123456789abcdef');
    }
    delete process.env.NODE_ENV;
    assert.equal(parseEnv(schema, {}).SECRET, 'dev-fallback-secret-0123456789abcdef');
  });

  test('is required in production', () => {
    process.env.NODE_ENV = 'production';
    assert.throws(() => parseEnv(schema, {}), /SECRET: is required in production/);
    assert.throws(() => parseEnv(schema, { SECRET: '' }), /SECRET: is required in production/);
    assert.equal(parseEnv(schema, { SECRET: strong }).SECRET, strong);
  });

  test('a given secret wins everywhere, and must be at least 32 characters', () => {
    process.env.NODE_ENV = 'development';
    assert.equal(parseEnv(schema, { SECRET: strong }).SECRET, strong);
    assert.throws(
      () => parseEnv(schema, { SECRET: 'short' }),
      /SECRET: must be at least 32 characters/,
    );
    process.env.NODE_ENV = 'production';
    assert.throws(() => parseEnv(schema, { SECRET: 'short' }), /SECRET/);
  });

  test('jwtEnv: access secret, issuer and audience defaults', () => {
    process.env.NODE_ENV = 'test';
    const env = parseEnv(z.object(jwtEnv), {});
    assert.equal(env.JWT_ACCESS_SECRET, 'dev-only-access-secret-0123456789abcdef');
    assert.equal(env.JWT_ISSUER, 'chat-auth');
    assert.equal(env.JWT_AUDIENCE, 'chat-api');
    process.env.NODE_ENV = 'production';
    assert.throws(() => parseEnv(z.object(jwtEnv), {}), /JWT_ACCESS_SECRET/);
  });
});

describe('envDevOnlyBool', () => {
  const schema = z.object({ DEBUG_AID: envDevOnlyBool() });
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.NODE_ENV;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved;
  });

  test('off unless set; on when set outside production', () => {
    process.env.NODE_ENV = 'development';
    assert.equal(parseEnv(schema, {}).DEBUG_AID, false);
    assert.equal(parseEnv(schema, { DEBUG_AID: 'true' }).DEBUG_AID, true);
  });

  test('production refuses to start with it on, and is fine with it off', () => {
    assert.throws(
      () => parseEnv(schema, { NODE_ENV: 'production', DEBUG_AID: 'true' }),
      /DEBUG_AID: must not be true in production/,
    );
    assert.equal(parseEnv(schema, { NODE_ENV: 'production', DEBUG_AID: 'false' }).DEBUG_AID, false);
  });
});
