import { useCallback } from 'react';
import { trpc } from '../trpc';
import { removeMessage } from './messageCache';

/** "Delete for me": gone from this screen at once; other devices hear it by event. */
export function useDeleteMessage(conversationId: string) {
  const utils = trpc.useUtils();
  return useCallback(
    (messageId: string) => {
      removeMessage(utils, conversationId, messageId);
      utils.client.chat.deleteForMe.mutate({ messageId }).catch(() => {
        // Put it back as the server has it.
        void utils.chat.messages.invalidate({ conversationId });
      });
    },
    [utils, conversationId],
  );
}
