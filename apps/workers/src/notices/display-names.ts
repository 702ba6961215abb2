import { AppError, type RequestMeta } from '@chat/core';
import type { RpcCaller } from '@chat/api';

/** Names kept; the least recently used go first. */
const MAX_NAMES = 50_000;
/** A name not refreshed by an event for this long is asked again. */
const NAME_TTL_MS = 10 * 60_000;

/**
 * Display names for notification titles: a copy kept from `user.profile.updated` events,
 * asked of the user worker only on a miss — not one RPC per message.
 */
export class DisplayNames {
  private readonly names = new Map<string, { name: string; until: number }>();

  constructor(private readonly rpc: RpcCaller) {}

  /** `user.profile.updated`: the new name, for as long as the cache keeps it. */
  set(userId: string, name: string): void {
    this.names.delete(userId);
    this.names.set(userId, { name, until: Date.now() + NAME_TTL_MS });
    if (this.names.size > MAX_NAMES) this.names.delete(this.names.keys().next().value!);
  }

  /** The name kept for the user, if fresh; never asks. */
  cached(userId: string): string | undefined {
    const entry = this.names.get(userId);
    return entry && entry.until > Date.now() ? entry.name : undefined;
  }

  /** The user's display name; an unknown user is "Someone". */
  async of(userId: string, meta: RequestMeta): Promise<string> {
    const cached = this.cached(userId);
    if (cached !== undefined) return cached;
    let name: string;
    try {
      name = (await this.rpc('user.byId', { userId }, { ...meta, userId })).displayName;
    } catch (err) {
      // Anything but "no such user" is worth a retry of the whole event.
      if (!(err instanceof AppError && err.code === 'NOT_FOUND')) throw err;
      name = 'Someone';
    }
    this.set(userId, name);
    return name;
  }
}
