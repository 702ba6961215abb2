import type { StoredMessage, UnreadCount } from './analysis.js';
import { backoffMs, errorCode, sleep, worthRetrying } from './client-errors.js';
import type { Ledger } from './ledger.js';
import type { ChaosUser } from './population.js';

/** A read-only call retried while the answer says "try again" (the system should be idle). */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= 10 || !worthRetrying(errorCode(err))) throw err;
      await sleep(backoffMs(attempt));
    }
  }
}

/** Every conversation's full history (chat.messages, newest first, all pages), read by a member. */
export async function collectHistory(
  users: ChaosUser[],
  ledger: Ledger,
): Promise<Map<string, StoredMessage[]>> {
  const byId = new Map(users.map((u) => [u.id, u]));
  const history = new Map<string, StoredMessage[]>();
  for (const [conversationId, participants] of ledger.conversations) {
    const reader = byId.get(participants[0]!)!;
    const messages: StoredMessage[] = [];
    let cursor: string | undefined;
    do {
      const page = await retrying(() =>
        reader.client.api.chat.messages.query({ conversationId, limit: 100, cursor }),
      );
      messages.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    history.set(conversationId, messages);
  }
  return history;
}

/** Each user's unreadCount of each of their conversations (chat.conversations, all pages). */
export async function collectUnread(users: ChaosUser[]): Promise<UnreadCount[]> {
  const out: UnreadCount[] = [];
  for (const user of users) {
    let cursor: string | undefined;
    do {
      const page = await retrying(() =>
        user.client.api.chat.conversations.query({ limit: 100, cursor }),
      );
      for (const c of page.items)
        out.push({ userId: user.id, conversationId: c.id, unreadCount: c.unreadCount });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return out;
}
