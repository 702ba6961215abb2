import type { Group } from '@chat/api';
import { updateConversation } from '../conversations/conversationCache';
import type { TrpcUtils } from '../trpc';

/** A group answer from a mutation: the group and its conversation show it at once. */
export function applyGroup(utils: TrpcUtils, group: Group): void {
  utils.group.get.setData({ groupId: group.id }, group);
  updateConversation(utils, group.conversationId, (conversation) => ({
    ...conversation,
    participants: group.members.map((m) => m.userId),
    group: conversation.group
      ? { ...conversation.group, name: group.name, avatar: group.avatar }
      : { id: group.id, name: group.name, avatar: group.avatar },
  }));
}
