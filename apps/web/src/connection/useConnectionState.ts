import { useSyncExternalStore } from 'react';
import { wsClient } from './wsClient';

export type ConnectionState = 'connected' | 'connecting' | 'reconnecting' | 'offline';

let everConnected = false;
/** The event stream answered "started" on the current socket (an open socket alone is not enough). */
let streamStarted = false;
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

wsClient.connectionState.subscribe({
  next(state) {
    if (state.state !== 'pending' && streamStarted) {
      streamStarted = false;
      notify();
    }
  },
});

/** Called by the event stream when the server confirms the subscription. */
export function markStreamStarted(): void {
  if (wsClient.connectionState.get().state !== 'pending') return;
  streamStarted = true;
  everConnected = true;
  notify();
}

function compute(): ConnectionState {
  // A socket can look open for a while after the network is gone (until keep-alive notices).
  if (!navigator.onLine) return 'offline';
  if (streamStarted && wsClient.connectionState.get().state === 'pending') return 'connected';
  return everConnected ? 'reconnecting' : 'connecting';
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const subscription = wsClient.connectionState.subscribe({ next: listener });
  window.addEventListener('online', listener);
  window.addEventListener('offline', listener);
  return () => {
    listeners.delete(listener);
    subscription.unsubscribe();
    window.removeEventListener('online', listener);
    window.removeEventListener('offline', listener);
  };
}

/** Whether the live event stream is up: socket open and subscription started. */
export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(subscribe, compute);
}

/** Sign-out: a new session starts as "connecting", not "reconnecting". */
export function resetConnectionHistory(): void {
  everConnected = false;
  streamStarted = false;
}
