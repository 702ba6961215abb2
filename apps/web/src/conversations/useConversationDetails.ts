import type { Conversation } from '@chat/api';
import { displayNameOf, useUser } from '../presence/useUser';

/** Title, avatar and (for direct chats) the other person, shared by the list and the header. */
export function useConversationDetails(conversation: Conversation | undefined, meId: string) {
  const otherId =
    conversation?.type === 'direct'
      ? (conversation.participants.find((id) => id !== meId) ?? null)
      : null;
  const other = useUser(otherId);
  const isGroup = conversation?.type === 'group';
  const title = isGroup
    ? conversation.group?.name || 'Group'
    : displayNameOf(other.data, other.isPending ? 'Loading…' : 'Unknown user');
  const avatar = isGroup ? (conversation.group?.avatar ?? null) : (other.data?.avatar ?? null);
  return { title, avatar, isGroup, other: other.data };
}
