import type { Me } from '@chat/api';
import { useState } from 'react';
import { PresenceDot } from '../presence/PresenceDot';
import { statusLabel } from '../presence/statusLabels';
import { displayNameOf } from '../presence/useUser';
import { Avatar } from '../ui/Avatar';
import { focusRing, mutedText } from '../ui/styles';
import { ProfileDialog } from './ProfileDialog';

/** Me in the sidebar: avatar, name and status; opens the profile editor. */
export function ProfileButton({ me }: { me: Me }) {
  const [open, setOpen] = useState(false);
  const name = displayNameOf(me);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className={`flex min-w-0 flex-1 items-center gap-2 rounded-lg p-1 text-left hover:bg-slate-100 dark:hover:bg-slate-800 ${focusRing}`}
      >
        <Avatar name={name} src={me.avatar}>
          <PresenceDot status={me.status} />
        </Avatar>
        <span className="min-w-0">
          <span className="sr-only">Your profile: </span>
          <span className="block truncate font-semibold">{name}</span>
          <span className={`block truncate text-xs ${mutedText}`}>{statusLabel[me.status]}</span>
        </span>
      </button>
      <ProfileDialog me={me} open={open} onClose={() => setOpen(false)} />
    </>
  );
}
