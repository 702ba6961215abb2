import { useSyncExternalStore } from 'react';
import { createStore } from '../lib/store';

/**
 * Why the live connection can't be opened, when the server refuses it (null otherwise).
 * A browser never sees the status of a refused WebSocket upgrade — only a close — so after
 * a few sockets that closed without ever opening, the app asks the gateway
 * (`GET /trpc?socketCheck=<origin>`) whether its origin is allowed, and why not.
 */
const refusal = createStore<string | null>(null);

/** Probe after this many sockets in a row that never opened, then every PROBE_EVERY more. */
const FIRST_PROBE_AFTER = 2;
const PROBE_EVERY = 10;
/** The server says the origin is fine, yet sockets keep failing: something in between. */
const GIVE_UP_AFTER = 4;

let openedSinceLastClose = false;
let failuresInARow = 0;
let probing = false;

interface SocketCheck {
  allowed: boolean;
  reason: string | null;
}

function isSocketCheck(value: unknown): value is SocketCheck {
  return typeof value === 'object' && value !== null && 'allowed' in value;
}

async function probe(): Promise<void> {
  if (probing) return;
  probing = true;
  try {
    const origin = window.location.origin;
    const res = await fetch(`/trpc?socketCheck=${encodeURIComponent(origin)}`, {
      cache: 'no-store',
    });
    const body: unknown = await res.json().catch(() => null);
    if (isSocketCheck(body) && !body.allowed) {
      refusal.set(body.reason ?? `origin ${origin} is not allowed`);
    } else if (failuresInARow >= GIVE_UP_AFTER) {
      // HTTP answers (we just got a response) but no socket opens.
      refusal.set(
        'the WebSocket at /trpc could not be opened although the server answers; a proxy in between may not pass WebSocket upgrades',
      );
    }
  } catch {
    // No answer at all: the server or the network is down — "Reconnecting…" covers that.
  } finally {
    probing = false;
  }
}

/** wsClient calls these from its onOpen / onClose callbacks. */
export const socketAttempts = {
  opened(): void {
    openedSinceLastClose = true;
    failuresInARow = 0;
    refusal.set(null);
  },
  closed(): void {
    if (openedSinceLastClose) {
      openedSinceLastClose = false;
      return;
    }
    failuresInARow++;
    if (!navigator.onLine) return;
    const n = failuresInARow - FIRST_PROBE_AFTER;
    if (n >= 0 && (n % PROBE_EVERY === 0 || failuresInARow === GIVE_UP_AFTER)) void probe();
  },
  /** Sign-out: the next session starts with a clean slate. */
  reset(): void {
    openedSinceLastClose = false;
    failuresInARow = 0;
    refusal.set(null);
  },
};

/** The reason the server refuses the live connection, or null. */
export function useSocketRefusal(): string | null {
  return useSyncExternalStore(refusal.subscribe, refusal.get);
}
