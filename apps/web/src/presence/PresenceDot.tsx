import type { UserStatus } from '@chat/api';
import { statusColour, statusLabel } from './statusLabels';

/** The coloured dot on an avatar, with the status as text for screen readers. */
export function PresenceDot({
  status,
  decorative = false,
}: {
  status: UserStatus;
  decorative?: boolean;
}) {
  return (
    <span
      role={decorative ? undefined : 'img'}
      aria-label={decorative ? undefined : statusLabel[status]}
      aria-hidden={decorative || undefined}
      title={statusLabel[status]}
      className={`absolute -right-0.5 -bottom-0.5 size-3 rounded-full ring-2 ring-white dark:ring-slate-900 ${statusColour[status]}`}
    />
  );
}
