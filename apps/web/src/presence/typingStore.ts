import { useSyncExternalStore } from 'react';
import { TYPING_TTL_MS } from '@chat/contract/constants';
import { createStore } from '../lib/store';

/** conversationId → ids of the users typing there. */
const store = createStore<ReadonlyMap<string, readonly string[]>>(new Map());
const timers = new Map<string, ReturnType<typeof setTimeout>>();
const none: readonly string[] = [];

function setTyping(conversationId: string, userId: string, isTyping: boolean): void {
  store.set((previous) => {
    const current = previous.get(conversationId) ?? none;
    const has = current.includes(userId);
    if (has === isTyping) return previous;
    const next = new Map(previous);
    const users = isTyping ? [...current, userId] : current.filter((id) => id !== userId);
    if (users.length) next.set(conversationId, users);
    else next.delete(conversationId);
    return next;
  });
}

export const typingStore = {
  /** Applies a `typing` event; a `true` expires by itself after 5 s unless refreshed. */
  apply(conversationId: string, userId: string, isTyping: boolean): void {
    const key = `${conversationId}:${userId}`;
    const timer = timers.get(key);
    if (timer) clearTimeout(timer);
    timers.delete(key);
    setTyping(conversationId, userId, isTyping);
    if (isTyping) {
      timers.set(
        key,
        setTimeout(() => {
          timers.delete(key);
          setTyping(conversationId, userId, false);
        }, TYPING_TTL_MS),
      );
    }
  },
  /** A user who sent a message has stopped typing. */
  stop(conversationId: string, userId: string): void {
    typingStore.apply(conversationId, userId, false);
  },
  clear(): void {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    store.set(new Map());
  },
};

export function useTypingUsers(conversationId: string): readonly string[] {
  return useSyncExternalStore(store.subscribe, () => store.get().get(conversationId) ?? none);
}
