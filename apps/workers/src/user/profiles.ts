import { AppError } from '@chat/core';
import { isDuplicateKeyError, type ProfileRow, type UsersModels } from '@chat/db';
import type {
  Me,
  Page,
  ProvisionProfileInput,
  PublicUser,
  SetStatusInput,
  UpdateProfileInput,
  UserSearchInput,
  UserStatus,
} from '@chat/api';
import type { ProfileCache } from './profile-cache.js';

/** Profiles: creation from sign-up, reads through the cache, edits that replace the cached entry. */
export class Profiles {
  constructor(
    private readonly models: UsersModels,
    private readonly cache: ProfileCache,
  ) {}

  /**
   * Creates the profile once; a second call (redelivered event, retried RPC) changes nothing.
   * Two concurrent upserts of one new id (sign-up's RPC racing its own `user.created`, or a
   * redelivery) can both miss and both insert: the loser gets E11000 on `_id`. That is the
   * same profile, so it is success; a duplicate *username* under another id still throws.
   */
  async provision(input: ProvisionProfileInput): Promise<Me> {
    const now = new Date();
    try {
      await this.models.Profile.updateOne(
        { _id: input.id },
        {
          $setOnInsert: {
            username: input.username,
            usernameLower: input.username.toLowerCase(),
            email: input.email,
            displayName: input.username,
            displayNameLower: input.username.toLowerCase(),
            avatar: null,
            bio: '',
            status: 'online',
            connected: false,
            lastSeen: null,
            createdAt: now,
            updatedAt: now,
          },
        },
        { upsert: true },
      );
    } catch (err) {
      const sameProfile =
        isDuplicateKeyError(err) && (await this.models.Profile.exists({ _id: input.id }));
      if (!sameProfile) throw err;
    }
    return this.me(input.id);
  }

  async me(id: string): Promise<Me> {
    const cached = await this.cache.get(id);
    if (cached) return cached;
    const row = await this.models.Profile.findById(id).lean<ProfileRow>();
    if (!row) throw new AppError('NOT_FOUND', 'User not found');
    const me = toMe(row);
    await this.cache.set(me, new Date(row.updatedAt).getTime());
    return me;
  }

  /** The subset of `ids` that are real users (for group and direct-chat membership checks). */
  async existing(ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    // At most MAX_MEMBER_IDS_PER_CALL ids: one `$in` on _id (index reads on the dev store too).
    const rows = await this.models.Profile.find({ _id: { $in: unique } }, { _id: 1 }).lean<
      Array<{ _id: string }>
    >();
    const found = new Set(rows.map((r) => r._id));
    return unique.filter((id) => found.has(id));
  }

  async byId(id: string): Promise<PublicUser> {
    return toPublic(await this.me(id));
  }

  /** Case-insensitive substring match on username or display name, ordered by username. */
  async search(callerId: string, input: UserSearchInput): Promise<Page<PublicUser>> {
    const pattern = escapeRegex(input.query.toLowerCase());
    const after = input.cursor ? decodeCursor(input.cursor) : null;
    const rows = await this.models.Profile.find({
      _id: { $ne: callerId },
      $or: [{ usernameLower: { $regex: pattern } }, { displayNameLower: { $regex: pattern } }],
      ...(after ? { usernameLower: { $gt: after } } : {}),
    })
      .sort({ usernameLower: 1 })
      .limit(input.limit + 1)
      .lean<ProfileRow[]>();
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => toPublic(toMe(r))),
      nextCursor: rows.length > input.limit && last ? encodeCursor(last.usernameLower) : null,
    };
  }

  async update(id: string, input: UpdateProfileInput): Promise<Me> {
    const set: Record<string, unknown> = { updatedAt: new Date() };
    if (input.displayName !== undefined) {
      set.displayName = input.displayName;
      set.displayNameLower = input.displayName.toLowerCase();
    }
    if (input.bio !== undefined) set.bio = input.bio;
    if (input.avatar !== undefined) set.avatar = input.avatar;
    return this.write(id, set);
  }

  /** Sets the chosen status; see {@link Profiles.transition} for what the result says. */
  setStatus(id: string, input: SetStatusInput): Promise<Transition> {
    return this.transition(id, () => ({ status: input.status }));
  }

  /**
   * Records whether the user has a live socket (presence); `lastSeen`, when this turns
   * them offline: when their last socket was seen gone (default now).
   */
  setConnected(id: string, connected: boolean, lastSeen?: Date): Promise<Transition> {
    return this.transition(
      id,
      (row) => ((row.connected ?? false) === connected ? null : { connected }),
      lastSeen,
    );
  }

  /** Ids of users currently marked connected (for the presence sweeper). */
  async connectedIds(): Promise<string[]> {
    const rows = await this.models.Profile.find({ connected: true }, { _id: 1 }).lean<
      { _id: string }[]
    >();
    return rows.map((r) => r._id);
  }

  /**
   * Changes the presence fields (`status`, `connected`) as `change` decides from the current
   * row, with compare-and-set on both so concurrent changes never lose one another; sets
   * `lastSeen` when the public status turns offline. `before`/`after` are public statuses.
   */
  private async transition(
    id: string,
    change: (row: ProfileRow) => { status?: string; connected?: boolean } | null,
    lastSeen?: Date,
  ): Promise<Transition> {
    for (let attempt = 0; ; attempt++) {
      const row = await this.models.Profile.findById(id).lean<ProfileRow>();
      if (!row) throw new AppError('NOT_FOUND', 'User not found');
      const set = change(row);
      const before = publicStatus(row);
      if (!set) return { me: toMe(row), before, after: before };
      const next = { ...row, ...set } as ProfileRow;
      const after = publicStatus(next);
      const now = new Date();
      const update: Record<string, unknown> = { ...set, updatedAt: now };
      if (before !== 'offline' && after === 'offline') update.lastSeen = lastSeen ?? now;
      const res = await this.models.Profile.updateOne(
        {
          _id: id,
          status: row.status,
          connected: row.connected === true ? true : { $ne: true },
        },
        { $set: update },
      );
      if (res.matchedCount === 1) {
        const me = await this.refreshCache(id);
        return { me, before, after: me.status };
      }
      if (attempt >= 10) throw new AppError('SERVICE_UNAVAILABLE', 'Profile is busy, try again');
    }
  }

  private async write(id: string, set: Record<string, unknown>): Promise<Me> {
    const res = await this.models.Profile.updateOne({ _id: id }, { $set: set });
    if (res.matchedCount === 0) throw new AppError('NOT_FOUND', 'User not found');
    return this.refreshCache(id);
  }

  /** Write-through: readers that fetched the old row can't overwrite a newer entry. */
  private async refreshCache(id: string): Promise<Me> {
    const row = await this.models.Profile.findById(id).lean<ProfileRow>();
    if (!row) throw new AppError('NOT_FOUND', 'User not found');
    const me = toMe(row);
    await this.cache.set(me, new Date(row.updatedAt).getTime());
    return me;
  }
}

/** The result of a presence change: the profile after it, and the public status before and after. */
export interface Transition {
  me: Me;
  before: UserStatus;
  after: UserStatus;
}

/** What others see: offline without a live socket, else the chosen status ('offline' = invisible). */
export function publicStatus(row: Pick<ProfileRow, 'status' | 'connected'>): UserStatus {
  if (row.connected !== true) return 'offline';
  return row.status ?? 'online';
}

function toMe(row: ProfileRow): Me {
  return {
    id: row._id,
    username: row.username,
    email: row.email,
    displayName: row.displayName,
    avatar: row.avatar ?? null,
    bio: row.bio ?? '',
    status: publicStatus(row),
    lastSeen: row.lastSeen ? new Date(row.lastSeen).toISOString() : null,
  };
}

function toPublic(me: Me): PublicUser {
  const { email: _email, ...rest } = me;
  return rest;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const encodeCursor = (usernameLower: string) =>
  Buffer.from(usernameLower, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z0-9_]{1,32}$/.test(value)) throw new AppError('BAD_REQUEST', 'Invalid cursor');
  return value;
}
