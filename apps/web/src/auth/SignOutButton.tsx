import { useState } from 'react';
import { secondaryButton } from '../ui/styles';
import { signOut } from './session';

/** "Sign out": forgets the session in every tab and revokes the refresh token. */
export function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      aria-busy={pending || undefined}
      onClick={() => {
        setPending(true);
        void signOut();
      }}
      className={`${secondaryButton} text-xs`}
    >
      Sign out
    </button>
  );
}
