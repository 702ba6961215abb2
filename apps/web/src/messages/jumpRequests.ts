import { useSyncExternalStore } from 'react';
import { createStore } from '../lib/store';

/** A message to show once its conversation's log is open (a search result was picked). */
export interface JumpRequest {
  conversationId: string;
  messageId: string;
}

const store = createStore<JumpRequest | null>(null);

export const jumpRequests = {
  request: (request: JumpRequest): void => store.set(request),
  /** Taken by the log that shows it, so it happens once. */
  take(conversationId: string): string | undefined {
    const request = store.get();
    if (request?.conversationId !== conversationId) return undefined;
    store.set(null);
    return request.messageId;
  },
};

export function useJumpRequest(): JumpRequest | null {
  return useSyncExternalStore(store.subscribe, store.get);
}
