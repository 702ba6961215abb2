import type { RequestMeta } from '@chat/core';
import type { RpcCaller } from '@chat/api';

/** Contacts are asked again after this long (or when a conversation of theirs changes). */
const CONTACTS_TTL_MS = 10_000;
const MAX_ENTRIES = 20_000;

/**
 * Who shares a conversation with a user (for presence), asked of the chat worker and kept
 * briefly: a connect storm turns one user's presence changes into one question, not one per
 * socket. `forget` drops users whose conversations changed.
 */
export class Contacts {
  private readonly entries = new Map<string, { ids: Promise<string[]>; until: number }>();

  constructor(private readonly rpc: RpcCaller) {}

  of(userId: string, meta: RequestMeta): Promise<string[]> {
    const cached = this.entries.get(userId);
    if (cached && cached.until > Date.now()) return cached.ids;
    const ids = this.rpc('chat.contactsOf', { userId }, { ...meta, userId }).then(
      (out) => out.userIds,
    );
    this.entries.set(userId, { ids, until: Date.now() + CONTACTS_TTL_MS });
    ids.catch(() => this.entries.delete(userId));
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return ids;
  }

  forget(userIds: Iterable<string>): void {
    for (const id of userIds) this.entries.delete(id);
  }
}
