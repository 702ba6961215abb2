import { useEffect } from 'react';
import { wsClient } from '../connection/wsClient';
import { trpc } from '../trpc';
import { outbox } from './outbox';
import { deliver } from './useSendMessage';

/**
 * When the connection comes back (browser online again, socket reopened), messages that
 * failed for a passing reason are sent again — with their clientId, so never twice.
 */
export function useAutoResend(): void {
  const utils = trpc.useUtils();
  useEffect(() => {
    const resend = () => {
      for (const pending of outbox.retryable()) deliver(utils, pending);
    };
    let wasOpen = wsClient.connectionState.get().state === 'pending';
    const subscription = wsClient.connectionState.subscribe({
      next(state) {
        const open = state.state === 'pending';
        if (open && !wasOpen) resend();
        wasOpen = open;
      },
    });
    window.addEventListener('online', resend);
    return () => {
      subscription.unsubscribe();
      window.removeEventListener('online', resend);
    };
  }, [utils]);
}
