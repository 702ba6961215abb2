import type { ChatModels } from '@chat/db';
import { quoteOf, type ReplyPreview } from '@chat/api';
import { isObjectId } from '../ids.js';
import type { ConversationState, MessageMeta } from './state.js';

/**
 * The quotes for a batch of sends that answer messages: by id from the owner's recent
 * messages, else from the store. Only messages of this conversation that still exist for
 * everyone can be answered; anything else is missing from the map.
 */
export async function loadQuoted(
  models: ChatModels,
  state: ConversationState,
  commands: ReadonlyArray<{ input: { replyTo?: string | undefined } }>,
): Promise<Map<string, ReplyPreview>> {
  const ids = new Set(commands.flatMap((c) => (c.input.replyTo ? [c.input.replyTo] : [])));
  const quotes = new Map<string, ReplyPreview>();
  await Promise.all(
    [...ids].map(async (id) => {
      const original =
        state.byId(id) ??
        (isObjectId(id) ? await models.Message.findById(id).lean<MessageMeta>() : null);
      if (!original || original.conversationId !== state.id || original.deleted) return;
      quotes.set(id, {
        id,
        senderId: original.senderId,
        content: quoteOf(original.content),
        type: original.type,
        deleted: false,
      });
    }),
  );
  return quotes;
}
