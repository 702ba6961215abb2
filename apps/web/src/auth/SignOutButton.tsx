import { useState } from 'react';
import { unsubscribeBeforeSignOut } from '../push/pushDevice';
import { trpc } from '../trpc';
import { secondaryButton } from '../ui/styles';
import { signOut } from './session';

/** "Sign out": unsubscribes this device from push, forgets the session in every tab, revokes the refresh token. */
export function SignOutButton() {
  const client = trpc.useUtils().client;
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      aria-busy={pending || undefined}
      onClick={() => {
        setPending(true);
        // This device's pushes stop while the request can still say who is asking.
        void unsubscribeBeforeSignOut(client).then(signOut);
      }}
      className={`${secondaryButton} text-xs`}
    >
      Sign out
    </button>
  );
}
