import { useSyncExternalStore } from 'react';
import { createStore } from '../lib/store';
import type { Message } from './types';

/** What a reply quotes, as `Message.replyTo` carries it. */
export type Quote = NonNullable<Message['replyTo']>;

/** The server's quote length (REPLY_PREVIEW_CHARS), so the local echo shows what it will store. */
const QUOTE_CHARS = 200;
const cut = (content: string) =>
  content.length > QUOTE_CHARS ? `${content.slice(0, QUOTE_CHARS - 1)}…` : content;

export function quoteOf(message: Message): Quote {
  return {
    id: message.id,
    senderId: message.senderId,
    content: message.deleted ? '' : cut(message.content),
    type: message.type,
    deleted: message.deleted,
  };
}

/** The message each conversation's composer is replying to ("Replying to …"). */
const store = createStore<ReadonlyMap<string, Quote>>(new Map());

export const replies = {
  start(conversationId: string, quote: Quote): void {
    store.set((previous) => new Map(previous).set(conversationId, quote));
  },
  cancel(conversationId: string): void {
    store.set((previous) => {
      if (!previous.has(conversationId)) return previous;
      const next = new Map(previous);
      next.delete(conversationId);
      return next;
    });
  },
};

export function useReplyingTo(conversationId: string): Quote | undefined {
  return useSyncExternalStore(store.subscribe, () => store.get().get(conversationId));
}
