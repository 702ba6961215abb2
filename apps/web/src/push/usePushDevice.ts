import { useEffect } from 'react';
import { trpc } from '../trpc';
import { checkPushStatus } from './pushDevice';
import { activeRegistration, listenForNotificationClicks, pushSupported } from './serviceWorker';

/**
 * Signed in: the service worker is registered (that asks nothing of the user), a click on a
 * notification opens its conversation here, and the control's state follows the browser's
 * permission (e.g. re-allowed in the site settings).
 */
export function usePushDevice(): void {
  const client = trpc.useUtils().client;

  useEffect(() => {
    const stopListening = listenForNotificationClicks();
    let permission: PermissionStatus | null = null;
    const recheck = () => void checkPushStatus(client);
    if (pushSupported()) {
      activeRegistration().catch(() => undefined);
      navigator.permissions
        ?.query({ name: 'notifications' })
        .then((result) => {
          permission = result;
          result.addEventListener('change', recheck);
        })
        .catch(() => undefined);
    }
    recheck();
    return () => {
      stopListening();
      permission?.removeEventListener('change', recheck);
    };
  }, [client]);
}
