import { useSyncExternalStore } from 'react';

/** The app's only route parameter: the open conversation, kept in the URL hash (`#/c/<id>`). */
function readConversationId(): string | null {
  const match = /^#\/c\/([A-Za-z0-9_-]{1,64})$/.exec(window.location.hash);
  return match?.[1] ?? null;
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function useOpenConversationId(): string | null {
  return useSyncExternalStore(subscribe, readConversationId);
}

/** Opens a conversation (or, with `null`, goes back to the list); browser Back works too. */
export function openConversation(conversationId: string | null): void {
  const hash = conversationId ? `#/c/${conversationId}` : '#/';
  if (window.location.hash !== hash) window.location.hash = hash;
}
