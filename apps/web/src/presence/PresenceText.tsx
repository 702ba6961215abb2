import type { PublicUser } from '@chat/api';
import { formatFull, formatRelative } from '../lib/time';
import { statusLabel } from './statusLabels';

/** "Online", "Busy", or "Last seen 5 minutes ago" for someone offline. */
export function PresenceText({ user }: { user: Pick<PublicUser, 'status' | 'lastSeen'> }) {
  if (user.status !== 'offline' || !user.lastSeen) return <>{statusLabel[user.status]}</>;
  return (
    <>
      Last seen{' '}
      <time dateTime={user.lastSeen} title={formatFull(user.lastSeen)}>
        {formatRelative(user.lastSeen)}
      </time>
    </>
  );
}
