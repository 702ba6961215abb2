import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { AppError, type RequestMeta } from '@chat/core';
import { MAX_GROUP_MEMBERS, requireUserId, type RpcHandlers, type RpcInput } from '@chat/api';
import type { ChatDeps } from './deps.js';
import { isObjectId } from './ids.js';
import { normalizeMemberIds } from './groups/permissions.js';
import { directKey } from './owner/direct.js';
import { requireUsersVia } from './users.js';

type Handlers = Pick<
  RpcHandlers<'chat' | 'group'>,
  | 'chat.openDirect'
  | 'group.create'
  | 'chat.deleteForMe'
  | 'chat.edit'
  | 'chat.deleteForEveryone'
  | 'chat.react'
  | 'chat.unreact'
>;

/** An ObjectId derived from a string: the same input always names the same document. */
const derivedId = (seed: string) =>
  new Types.ObjectId(createHash('sha256').update(seed).digest('hex').slice(0, 24)).toString();

/**
 * Public methods whose conversation isn't in their input: any chat worker works out which
 * conversation it is (and checks what needs no state), then hands the call to that
 * conversation's owner.
 */
export function forwardHandlers(deps: ChatDeps): Handlers {
  const { rpc, models } = deps;

  const requireUsers = requireUsersVia(rpc);

  /** The conversation of a message (NOT_FOUND when there is none); its owner checks the rest. */
  const conversationOf = async (messageId: string): Promise<string> => {
    if (!isObjectId(messageId)) throw new AppError('NOT_FOUND', 'Message not found');
    const message = await models.Message.findById(messageId, { conversationId: 1 }).lean<{
      conversationId: string;
    }>();
    if (!message) throw new AppError('NOT_FOUND', 'Message not found');
    return message.conversationId;
  };
  const change = async (
    messageId: string,
    what: RpcInput<'chat.owner.changeMessage'>['change'],
    meta: RequestMeta,
  ) =>
    rpc(
      'chat.owner.changeMessage',
      { conversationId: await conversationOf(messageId), messageId, change: what },
      meta,
    );

  return {
    'chat.openDirect': async (input, meta) => {
      const me = requireUserId(meta);
      if (input.userId === me)
        throw new AppError('BAD_REQUEST', 'A direct conversation needs another user');
      const { userIds } = await rpc('user.existing', { userIds: [input.userId] }, meta);
      if (userIds.length === 0) throw new AppError('NOT_FOUND', 'User not found');
      // One conversation per pair, whoever asks: its id comes from the pair.
      const conversationId = derivedId(directKey(me, input.userId));
      return rpc('chat.owner.openDirect', { conversationId, userId: input.userId }, meta);
    },

    'group.create': async (input, meta) => {
      const me = requireUserId(meta);
      const others = normalizeMemberIds(me, input.memberIds);
      if (others.length === 0)
        throw new AppError('BAD_REQUEST', 'A group needs at least one member besides you');
      if (others.length + 1 > MAX_GROUP_MEMBERS)
        throw new AppError('BAD_REQUEST', `A group has at most ${MAX_GROUP_MEMBERS} members`);
      await requireUsers(others, meta);
      // Derived from the call, so a redelivered create names the same group.
      const conversationId = derivedId(JSON.stringify([me, meta.callId ?? meta.requestId, input]));
      return rpc('chat.owner.createGroup', { ...input, conversationId }, meta);
    },

    'chat.deleteForMe': async (input, meta) =>
      rpc(
        'chat.owner.deleteForMe',
        { conversationId: await conversationOf(input.messageId), messageId: input.messageId },
        meta,
      ),

    'chat.edit': (input, meta) =>
      change(input.messageId, { kind: 'edit', content: input.content }, meta),
    'chat.deleteForEveryone': async (input, meta) => {
      await change(input.messageId, { kind: 'delete' }, meta);
      return { ok: true as const };
    },
    'chat.react': (input, meta) =>
      change(input.messageId, { kind: 'react', emoji: input.emoji }, meta),
    'chat.unreact': (input, meta) =>
      change(input.messageId, { kind: 'unreact', emoji: input.emoji }, meta),
  };
}
