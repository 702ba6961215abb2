import { useCallback, useEffect, useRef } from 'react';
import { trpc } from '../trpc';

/** Resend "typing" this often while typing (others expire it after 5 s). */
const REFRESH_MS = 3_000;
/** Stop after this long without a keystroke. */
const IDLE_MS = 4_000;

/** Tells the others when I type, within the rate limit (10 per 5 s). */
export function useTypingSender(conversationId: string) {
  const utils = trpc.useUtils();
  const lastSent = useRef(0);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const send = useCallback(
    (isTyping: boolean) => {
      utils.client.chat.typing.mutate({ conversationId, isTyping }).catch(() => undefined);
    },
    [utils, conversationId],
  );

  const stop = useCallback(() => {
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = null;
    if (lastSent.current) {
      lastSent.current = 0;
      send(false);
    }
  }, [send]);

  const onInput = useCallback(() => {
    const now = Date.now();
    if (now - lastSent.current > REFRESH_MS) {
      lastSent.current = now;
      send(true);
    }
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(stop, IDLE_MS);
  }, [send, stop]);

  useEffect(() => stop, [stop]);

  return { onInput, stop };
}
