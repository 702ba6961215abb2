import type { Attachment, Message } from '@chat/api';
import { useMemo } from 'react';
import { trpc } from '../trpc';
import { usePendingMessages } from './outbox';
import { messagesInput, type DeliveryState } from './types';

/** A message as the list shows it: from the server, or still in the outbox (local echo). */
export interface DisplayMessage {
  /** Stable across the local echo → server message switch. */
  key: string;
  id: string | null;
  clientId: string;
  senderId: string;
  content: string;
  attachments: Attachment[];
  replyTo: Message['replyTo'];
  createdAt: string;
  state: DeliveryState;
  error?: string;
  message?: Message;
}

/**
 * A conversation's messages, oldest first, with the unconfirmed ones from this device at
 * the end. Older pages load on demand (`fetchNextPage`); new ones arrive by event.
 */
export function useMessages(conversationId: string, meId: string, enabled = true) {
  const query = trpc.chat.messages.useInfiniteQuery(messagesInput(conversationId), {
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: Infinity,
    enabled,
  });
  const pending = usePendingMessages(conversationId);

  const messages = useMemo(() => {
    const seenIds = new Set<string>();
    const confirmedClientIds = new Set<string>();
    const list: DisplayMessage[] = [];
    const pages = query.data?.pages ?? [];
    for (let p = pages.length - 1; p >= 0; p--) {
      const items = pages[p]!.items;
      for (let i = items.length - 1; i >= 0; i--) {
        const message = items[i]!;
        if (seenIds.has(message.id)) continue;
        seenIds.add(message.id);
        if (message.senderId === meId) confirmedClientIds.add(message.clientId);
        list.push({
          key: `${message.senderId}:${message.clientId}`,
          id: message.id,
          clientId: message.clientId,
          senderId: message.senderId,
          content: message.content,
          attachments: message.attachments,
          replyTo: message.replyTo,
          createdAt: message.createdAt,
          state: message.status,
          message,
        });
      }
    }
    list.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const entry of pending) {
      if (confirmedClientIds.has(entry.clientId)) continue;
      list.push({
        key: `${meId}:${entry.clientId}`,
        id: null,
        clientId: entry.clientId,
        senderId: meId,
        content: entry.content,
        attachments: entry.attachments,
        replyTo: entry.replyTo ?? null,
        createdAt: entry.createdAt,
        state: entry.state,
        error: entry.error,
      });
    }
    return list;
  }, [query.data, pending, meId]);

  return { ...query, messages };
}
