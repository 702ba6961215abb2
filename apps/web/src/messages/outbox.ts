import { useSyncExternalStore } from 'react';
import { createStore } from '../lib/store';
import type { PendingMessage } from './types';

/** Messages on their way to the server, by clientId (kept until the server has them). */
const store = createStore<ReadonlyMap<string, PendingMessage>>(new Map());

export const outbox = {
  get: (clientId: string) => store.get().get(clientId),
  put(message: PendingMessage): void {
    store.set((previous) => new Map(previous).set(message.clientId, message));
  },
  update(clientId: string, patch: Partial<PendingMessage>): void {
    store.set((previous) => {
      const current = previous.get(clientId);
      if (!current) return previous;
      return new Map(previous).set(clientId, { ...current, ...patch });
    });
  },
  remove(clientId: string): void {
    store.set((previous) => {
      if (!previous.has(clientId)) return previous;
      const next = new Map(previous);
      next.delete(clientId);
      return next;
    });
  },
  /** Failed messages that are worth sending again now. */
  retryable(): PendingMessage[] {
    return [...store.get().values()].filter((m) => m.state === 'failed' && m.retryable);
  },
  clear(): void {
    store.set(new Map());
  },
};

const empty: PendingMessage[] = [];
const cache = new WeakMap<ReadonlyMap<string, PendingMessage>, Map<string, PendingMessage[]>>();

function pendingIn(conversationId: string): PendingMessage[] {
  const all = store.get();
  let byConversation = cache.get(all);
  if (!byConversation) {
    byConversation = new Map();
    for (const message of all.values()) {
      const list = byConversation.get(message.conversationId) ?? [];
      list.push(message);
      byConversation.set(message.conversationId, list);
    }
    cache.set(all, byConversation);
  }
  return byConversation.get(conversationId) ?? empty;
}

/** The unconfirmed messages of one conversation, oldest first. */
export function usePendingMessages(conversationId: string): PendingMessage[] {
  return useSyncExternalStore(store.subscribe, () => pendingIn(conversationId));
}
