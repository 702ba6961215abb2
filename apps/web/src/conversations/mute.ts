import type { Conversation } from '@chat/api';

/** "Until I unmute": the API's far-future date (docs/api.md, chat.mute). */
export const FOREVER = '9999-12-31T00:00:00.000Z';

/** Muted now? (`mutedUntil` in the past means it has run out.) */
export function isMuted(conversation: Pick<Conversation, 'mutedUntil'>, now = Date.now()): boolean {
  return conversation.mutedUntil !== null && Date.parse(conversation.mutedUntil) > now;
}

export const mutedForever = (conversation: Pick<Conversation, 'mutedUntil'>): boolean =>
  conversation.mutedUntil !== null && conversation.mutedUntil.startsWith('9999');
