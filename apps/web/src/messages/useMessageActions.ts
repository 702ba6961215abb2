import { useMemo } from 'react';
import { trpc } from '../trpc';
import { updateMessage } from './messageCache';
import type { Message } from './types';

/**
 * Edit, delete for everyone, react and unreact: each answer (or the event that follows it)
 * replaces the message in the cache; a failure reloads the conversation's pages as the
 * server has them and is passed on for the caller to show.
 */
export function useMessageActions(conversationId: string) {
  const utils = trpc.useUtils();
  return useMemo(() => {
    const reload = (error: unknown) => {
      void utils.chat.messages.invalidate({ conversationId });
      throw error;
    };
    const apply = (message: Message) => updateMessage(utils, message);
    return {
      edit: (messageId: string, content: string) =>
        utils.client.chat.edit.mutate({ messageId, content }).then(apply, reload),
      deleteForEveryone: (message: Message) => {
        // A tombstone at once; the event confirms it.
        apply({ ...message, deleted: true, content: '', attachments: [], reactions: [] });
        return utils.client.chat.deleteForEveryone.mutate({ messageId: message.id }).catch(reload);
      },
      react: (messageId: string, emoji: string) =>
        utils.client.chat.react.mutate({ messageId, emoji }).then(apply, reload),
      unreact: (messageId: string, emoji: string) =>
        utils.client.chat.unreact.mutate({ messageId, emoji }).then(apply, reload),
    };
  }, [utils, conversationId]);
}
