import { AppError, type RequestMeta } from '@chat/core';
import { redisKeys, requireUserId, type ClientEvent, type TypingInput } from '@chat/api';
import type { Redis } from 'ioredis';
import type { OwnerEngine } from './engine.js';

/** Live-only: published on each other participant's `live:{userId}` channel, never stored. */
export function typing(
  deps: { engine: OwnerEngine; redis: Redis },
  input: TypingInput,
  meta: RequestMeta,
): Promise<{ ok: true }> {
  const me = requireUserId(meta);
  return deps.engine.run(input.conversationId, async (state) => {
    if (!state?.members.has(me)) throw new AppError('NOT_FOUND', 'Conversation not found');
    const event: ClientEvent = {
      type: 'typing',
      conversationId: state.id,
      userId: me,
      isTyping: input.isTyping,
    };
    const payload = JSON.stringify(event);
    const pipeline = deps.redis.pipeline();
    for (const userId of state.members.keys())
      if (userId !== me) pipeline.publish(redisKeys.liveChannel(userId), payload);
    await pipeline.exec();
    return { ok: true as const };
  });
}
