import { requireUserId, type ClientEvent, type RpcHandlers } from '@chat/api';
import type { ChatDeps } from './deps.js';
import { loadMemberConversation } from './access.js';

type Handlers = Pick<RpcHandlers<'chat'>, 'chat.typing'>;

/** Live-only: published on each other participant's `live:{userId}` channel, never stored. */
export const typingHandlers = (deps: ChatDeps): Handlers => ({
  'chat.typing': async (input, meta) => {
    const me = requireUserId(meta);
    const conversation = await loadMemberConversation(deps.models, input.conversationId, me);
    const event: ClientEvent = {
      type: 'typing',
      conversationId: conversation._id.toString(),
      userId: me,
      isTyping: input.isTyping,
    };
    const payload = JSON.stringify(event);
    await Promise.all(
      conversation.participants
        .filter((p) => p !== me)
        .map((p) => deps.redis.publish(`live:${p}`, payload)),
    );
    return { ok: true as const };
  },
});
