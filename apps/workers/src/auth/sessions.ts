import { createHash, randomUUID } from 'node:crypto';
import { AppError, type Logger } from '@chat/core';
import { isDuplicateKeyError, type AuthModels } from '@chat/db';
import { signToken, verifyToken, type TokenConfig } from '@chat/tokens';
import type { TokenPair } from '@chat/api';

export interface SessionConfig {
  access: TokenConfig;
  refresh: TokenConfig;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Refresh-token families: each login starts a family; each refresh marks the
 * presented token used and issues its child. A used token presented again means
 * it leaked, so the whole family (that login on every device) is revoked.
 */
export class Sessions {
  constructor(
    private readonly models: AuthModels,
    private readonly config: SessionConfig,
  ) {}

  /** Starts a new login for `userId`. */
  start(userId: string): Promise<TokenPair> {
    return this.issue(userId, randomUUID(), null);
  }

  async rotate(refreshToken: string, log: Logger): Promise<TokenPair> {
    const { doc, jti } = await this.load(refreshToken);
    if (doc.usedAt) {
      await this.revokeFamily(doc.familyId);
      log.warn(
        { userId: doc.userId, familyId: doc.familyId },
        'refresh token reuse: family revoked',
      );
      throw new AppError('UNAUTHORIZED', 'Refresh token already used; please sign in again');
    }
    // The claim is the child's insert: `parentId` is unique, so of two concurrent refreshes
    // of one token only one can create a child (a conditional update is not atomic on FerretDB).
    let pair: TokenPair;
    try {
      pair = await this.issue(doc.userId, doc.familyId, jti);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      await this.revokeFamily(doc.familyId);
      log.warn(
        { userId: doc.userId, familyId: doc.familyId },
        'concurrent refresh reuse: family revoked',
      );
      throw new AppError('UNAUTHORIZED', 'Refresh token already used; please sign in again');
    }
    await this.models.RefreshToken.updateOne({ _id: jti }, { $set: { usedAt: new Date() } });
    // A logout or reuse detection may have revoked the family between our claim and the
    // insert above; the child must not outlive it.
    if (
      await this.models.RefreshToken.exists({ familyId: doc.familyId, revokedAt: { $ne: null } })
    ) {
      await this.revokeFamily(doc.familyId);
      throw new AppError('UNAUTHORIZED', 'Session has been signed out');
    }
    return pair;
  }

  /** Ends the login the token belongs to; repeating it is harmless. */
  async end(refreshToken: string): Promise<void> {
    const claims = await verifyToken('refresh', this.config.refresh, refreshToken);
    const doc = await this.models.RefreshToken.findById(claims.jti).lean();
    if (!doc || doc.tokenHash !== sha256(refreshToken))
      throw new AppError('UNAUTHORIZED', 'Invalid refresh token');
    await this.revokeFamily(doc.familyId);
  }

  /** Deletes rows past expiry (kept a day for reuse detection); there is no TTL index. */
  async prune(): Promise<number> {
    const cutoff = new Date(Date.now() - 24 * 60 * 60 * 1000);
    const res = await this.models.RefreshToken.deleteMany({ expiresAt: { $lt: cutoff } });
    return res.deletedCount;
  }

  private async load(refreshToken: string) {
    const claims = await verifyToken('refresh', this.config.refresh, refreshToken);
    const doc = await this.models.RefreshToken.findById(claims.jti).lean();
    if (!doc || doc.tokenHash !== sha256(refreshToken))
      throw new AppError('UNAUTHORIZED', 'Invalid refresh token');
    if (doc.revokedAt) throw new AppError('UNAUTHORIZED', 'Session has been signed out');
    if (doc.expiresAt.getTime() <= Date.now())
      throw new AppError('UNAUTHORIZED', 'Refresh token expired');
    return { doc, jti: claims.jti };
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.models.RefreshToken.updateMany(
      { familyId, revokedAt: null },
      { $set: { revokedAt: new Date() } },
    );
  }

  private async issue(
    userId: string,
    familyId: string,
    parentId: string | null,
  ): Promise<TokenPair> {
    const access = await signToken('access', this.config.access, { sub: userId });
    const refresh = await signToken('refresh', this.config.refresh, { sub: userId, fid: familyId });
    await this.models.RefreshToken.create({
      _id: refresh.jti,
      familyId,
      userId,
      // Roots get a unique placeholder: the unique index can't be partial on FerretDB.
      parentId: parentId ?? `root:${refresh.jti}`,
      tokenHash: sha256(refresh.token),
      createdAt: new Date(),
      expiresAt: refresh.expiresAt,
    });
    return {
      accessToken: access.token,
      refreshToken: refresh.token,
      accessTokenExpiresAt: access.expiresAt.toISOString(),
    };
  }
}
