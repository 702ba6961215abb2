import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '@chat/core';

/** The two token kinds carry different `typ` claims and secrets, so one can't stand in for the other. */
export type TokenKind = 'access' | 'refresh';

export interface TokenConfig {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

const ALGORITHM = 'HS256';

export interface SignedToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

export async function signToken(
  kind: TokenKind,
  config: TokenConfig,
  claims: { sub: string; fid?: string },
): Promise<SignedToken> {
  const jti = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const exp = now + config.ttlSeconds;
  const token = await new SignJWT({ typ: kind, ...(claims.fid ? { fid: claims.fid } : {}) })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .setJti(jti)
    .sign(secretKey(config.secret));
  return { token, jti, expiresAt: new Date(exp * 1000) };
}

export interface VerifiedToken {
  sub: string;
  jti: string;
  exp: number;
  fid?: string;
}

/**
 * Verifies signature (HS256 only: `alg: none` and other algorithms are refused),
 * issuer, audience, expiry and the kind. Any failure is UNAUTHORIZED.
 */
export async function verifyToken(
  kind: TokenKind,
  config: Omit<TokenConfig, 'ttlSeconds'>,
  token: string,
): Promise<VerifiedToken> {
  try {
    const { payload } = await jwtVerify(token, secretKey(config.secret), {
      algorithms: [ALGORITHM],
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ['sub', 'jti', 'exp', 'typ'],
    });
    if (payload.typ !== kind) throw new AppError('UNAUTHORIZED', `Not an ${kind} token`);
    return {
      sub: payload.sub!,
      jti: payload.jti!,
      exp: payload.exp!,
      ...(typeof payload.fid === 'string' ? { fid: payload.fid } : {}),
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const expired = err instanceof errors.JWTExpired;
    throw new AppError('UNAUTHORIZED', expired ? 'Token expired' : 'Invalid token');
  }
}

const keys = new Map<string, Uint8Array>();
function secretKey(secret: string): Uint8Array {
  let key = keys.get(secret);
  if (!key) {
    key = new TextEncoder().encode(secret);
    keys.set(secret, key);
  }
  return key;
}
