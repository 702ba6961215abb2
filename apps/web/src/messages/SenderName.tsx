import { displayNameOf, useUser } from '../presence/useUser';

/** A sender's name above their messages in a group. */
export function SenderName({ userId }: { userId: string }) {
  const user = useUser(userId);
  return (
    <span className="mb-0.5 block px-1 text-xs font-semibold text-indigo-700 dark:text-indigo-300">
      {displayNameOf(user.data, '…')}
    </span>
  );
}
