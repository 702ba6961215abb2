/**
 * Which conversation is on screen and scrolled to its newest message. A new message there
 * is read at once, so it must not bump the unread badge.
 */
let active: { conversationId: string; atBottom: boolean } | null = null;

export function setActiveConversation(value: { conversationId: string; atBottom: boolean } | null) {
  active = value;
}

export function isBeingRead(conversationId: string): boolean {
  return (
    active?.conversationId === conversationId &&
    active.atBottom &&
    document.visibilityState === 'visible'
  );
}
