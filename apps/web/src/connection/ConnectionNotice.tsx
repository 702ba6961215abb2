import { useEffect, useState } from 'react';
import { useSocketRefusal } from './socketRefusal';
import { useConnectionState } from './useConnectionState';

/** Short blips (a token-expiry reconnect) stay silent; a real outage shows after this. */
const SHOW_AFTER_MS = 1_000;

/**
 * "Reconnecting…" while the live connection is down. The `status` region is always in the
 * DOM (so screen readers announce changes) and empty while connected.
 */
export function ConnectionNotice() {
  const state = useConnectionState();
  const refusal = useSocketRefusal();
  const down = state === 'reconnecting' || state === 'offline';
  // Whether this outage has lasted SHOW_AFTER_MS; reset when it ends. Offline shows at once.
  const [lasted, setLasted] = useState(false);
  const visible = down && (lasted || state === 'offline');

  useEffect(() => {
    if (!down) return;
    const timer = setTimeout(() => setLasted(true), SHOW_AFTER_MS);
    return () => {
      clearTimeout(timer);
      setLasted(false);
    };
  }, [down]);

  if (refusal) return <SocketRefusedBanner reason={refusal} />;

  return (
    <div
      role="status"
      className="pointer-events-none fixed inset-x-0 top-2 z-50 flex justify-center px-2"
    >
      {visible && (
        <p className="pointer-events-auto flex items-center gap-2 rounded-full bg-amber-100 px-4 py-1.5 text-sm font-medium text-amber-900 shadow-md ring-1 ring-amber-300 dark:bg-amber-900 dark:text-amber-50 dark:ring-amber-700">
          <span
            aria-hidden="true"
            className="size-3 animate-spin rounded-full border-2 border-amber-400 border-t-amber-800 dark:border-amber-600 dark:border-t-amber-100"
          />
          {state === 'offline' ? 'Offline — reconnecting…' : 'Reconnecting…'}
        </p>
      )}
    </div>
  );
}

/** The server refuses the socket: no live updates until that is fixed, and the user is told. */
function SocketRefusedBanner({ reason }: { reason: string }) {
  return (
    <div className="fixed inset-x-0 top-2 z-50 flex justify-center px-2">
      <p
        role="alert"
        className="max-w-2xl rounded-lg bg-red-100 px-4 py-2 text-sm font-medium text-red-900 shadow-md ring-1 ring-red-300 dark:bg-red-950 dark:text-red-50 dark:ring-red-800"
      >
        Live updates are unavailable: the server refused the connection ({reason}).
      </p>
    </div>
  );
}
