import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { AppError } from '@chat/core';
import { signToken, verifyToken, type TokenConfig } from '../src/index.js';

const ACCESS: TokenConfig = {
  secret: 'test-access-secret-0123456789abcdef0123',
  issuer: 'chat-auth',
  audience: 'chat-api',
  ttlSeconds: 600,
};
const REFRESH: TokenConfig = { ...ACCESS, secret: 'test-refresh-secret-fedcba9876543210fedc' };

/** Awaits a verification that must fail with UNAUTHORIZED; returns the error. */
async function refused(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    assert.equal(err.code, 'UNAUTHORIZED');
    return err;
  }
  assert.fail('expected UNAUTHORIZED, but the token was accepted');
}

const b64 = (obj: object) => Buffer.from(JSON.stringify(obj)).toString('base64url');

describe('signToken / verifyToken', () => {
  test('round trip keeps sub and jti; exp matches expiresAt', async () => {
    const signed = await signToken('access', ACCESS, { sub: 'user-1' });
    const verified = await verifyToken('access', ACCESS, signed.token);
    assert.equal(verified.sub, 'user-1');
    assert.equal(verified.jti, signed.jti);
    assert.equal(verified.exp * 1000, signed.expiresAt.getTime());
    assert.equal(verified.fid, undefined);
    const inSeconds = (signed.expiresAt.getTime() - Date.now()) / 1000;
    assert.ok(inSeconds > 590 && inSeconds <= 600, `expires in ~600 s, got ${inSeconds}`);
  });

  test('every token gets its own jti', async () => {
    const a = await signToken('access', ACCESS, { sub: 'user-1' });
    const b = await signToken('access', ACCESS, { sub: 'user-1' });
    assert.notEqual(a.jti, b.jti);
    assert.notEqual(a.token, b.token);
  });

  test('fid is carried through', async () => {
    const signed = await signToken('refresh', REFRESH, { sub: 'user-1', fid: 'family-9' });
    const verified = await verifyToken('refresh', REFRESH, signed.token);
    assert.equal(verified.fid, 'family-9');
    assert.equal(verified.sub, 'user-1');
  });

  test('an access token is refused as a refresh token', async () => {
    // Same secret on purpose: only the typ claim tells them apart.
    const { token } = await signToken('access', ACCESS, { sub: 'user-1' });
    await refused(verifyToken('refresh', ACCESS, token));
  });

  test('a refresh token is refused as an access token', async () => {
    const { token } = await signToken('refresh', ACCESS, { sub: 'user-1', fid: 'f' });
    await refused(verifyToken('access', ACCESS, token));
  });

  test('alg none is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      typ: 'access',
      sub: 'user-1',
      iss: ACCESS.issuer,
      aud: ACCESS.audience,
      iat: now,
      exp: now + 600,
      jti: 'x',
    };
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    await refused(verifyToken('access', ACCESS, token));
  });

  test('another HMAC algorithm with the right secret is refused (HS256 only)', async () => {
    const token = await new SignJWT({ typ: 'access' })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('user-1')
      .setIssuer(ACCESS.issuer)
      .setAudience(ACCESS.audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .setJti('x')
      .sign(new TextEncoder().encode(ACCESS.secret));
    await refused(verifyToken('access', ACCESS, token));
  });

  test('a token signed with another secret is refused', async () => {
    const { token } = await signToken(
      'access',
      { ...ACCESS, secret: 'some-other-secret-of-enough-length-1234' },
      { sub: 'user-1' },
    );
    const err = await refused(verifyToken('access', ACCESS, token));
    assert.doesNotMatch(err.message, /expired/i);
  });

  test('a wrong issuer is refused', async () => {
    const { token } = await signToken(
      'access',
      { ...ACCESS, issuer: 'someone-else' },
      { sub: 'u' },
    );
    await refused(verifyToken('access', ACCESS, token));
  });

  test('a wrong audience is refused', async () => {
    const { token } = await signToken('access', { ...ACCESS, audience: 'elsewhere' }, { sub: 'u' });
    await refused(verifyToken('access', ACCESS, token));
  });

  test('an expired token is refused and says "expired"', async () => {
    const { token } = await signToken('access', { ...ACCESS, ttlSeconds: -5 }, { sub: 'u' });
    const err = await refused(verifyToken('access', ACCESS, token));
    assert.match(err.message, /expired/i);
  });

  test('a token missing a required claim (jti) is refused', async () => {
    const token = await new SignJWT({ typ: 'access' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-1')
      .setIssuer(ACCESS.issuer)
      .setAudience(ACCESS.audience)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(ACCESS.secret));
    await refused(verifyToken('access', ACCESS, token));
  });

  test('garbage and a tampered payload are refused', async () => {
    await refused(verifyToken('access', ACCESS, 'abc.def.ghi'));
    await refused(verifyToken('access', ACCESS, ''));
    const { token } = await signToken('access', ACCESS, { sub: 'user-1' });
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${b64({ ...payload, sub: 'admin' })}.${s}`;
    await refused(verifyToken('access', ACCESS, tampered));
  });
});
