import type { Message } from '@chat/api';
import { useEffect, useRef } from 'react';
import { clearUnread } from '../conversations/conversationCache';
import { markConversationNotificationsRead } from '../notifications/notificationCache';
import { trpc } from '../trpc';
import { markReadLocally } from './messageCache';
import { useDocumentVisible } from './useDocumentVisible';

/**
 * Marks the conversation read up to its newest message from others once that message is
 * on screen: the tab is visible and the list is scrolled to the bottom.
 */
export function useMarkRead(
  conversationId: string,
  meId: string,
  newestFromOthers: Message | undefined,
  atBottom: boolean,
): void {
  const utils = trpc.useUtils();
  const visible = useDocumentVisible();
  const lastMarked = useRef<string | null>(null);

  useEffect(() => {
    if (!visible || !atBottom) return;
    clearUnread(utils, conversationId);
    markConversationNotificationsRead(utils, conversationId);
    if (!newestFromOthers) return;
    if (newestFromOthers.readBy.some((r) => r.userId === meId)) return;
    if (lastMarked.current === newestFromOthers.id) return;
    lastMarked.current = newestFromOthers.id;
    markReadLocally(utils, conversationId, meId, newestFromOthers);
    utils.client.chat.markRead
      .mutate({ conversationId, upToMessageId: newestFromOthers.id })
      .catch(() => {
        lastMarked.current = null;
      });
  }, [utils, conversationId, meId, newestFromOthers, atBottom, visible]);
}
