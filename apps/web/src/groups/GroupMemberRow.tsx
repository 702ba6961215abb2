import type { Group } from '@chat/api';
import { PresenceDot } from '../presence/PresenceDot';
import { PresenceText } from '../presence/PresenceText';
import { displayNameOf, useUser } from '../presence/useUser';
import { Avatar } from '../ui/Avatar';
import { dangerButton, mutedText, secondaryButton } from '../ui/styles';

type Member = Group['members'][number];

interface GroupMemberRowProps {
  member: Member;
  meId: string;
  myRole: Member['role'] | undefined;
  busy: boolean;
  onRemove: (userId: string) => void;
  onSetRole: (userId: string, role: 'admin' | 'member') => void;
}

const roleLabel = { owner: 'Owner', admin: 'Admin', member: 'Member' } as const;

/** A member with their role, and what the viewer may do to them. */
export function GroupMemberRow({
  member,
  meId,
  myRole,
  busy,
  onRemove,
  onSetRole,
}: GroupMemberRowProps) {
  const user = useUser(member.userId);
  const name = member.userId === meId ? 'You' : displayNameOf(user.data, 'Loading…');
  const isSelf = member.userId === meId;
  const canRemove =
    !isSelf && member.role !== 'owner' && (myRole === 'owner' || myRole === 'admin');
  const canChangeRole = !isSelf && member.role !== 'owner' && myRole === 'owner';

  return (
    <li className="flex flex-wrap items-center gap-3 py-2">
      <Avatar name={displayNameOf(user.data, '?')} src={user.data?.avatar} size="sm">
        {user.data && <PresenceDot status={user.data.status} />}
      </Avatar>
      <div className="min-w-0 flex-1">
        <p className="truncate font-medium">
          {name}{' '}
          <span className="ml-1 rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-300">
            {roleLabel[member.role]}
          </span>
        </p>
        {user.data && (
          <p className={`truncate text-xs ${mutedText}`}>
            @{user.data.username} · <PresenceText user={user.data} />
          </p>
        )}
      </div>
      <div className="flex gap-2">
        {canChangeRole && (
          <button
            type="button"
            disabled={busy}
            onClick={() => onSetRole(member.userId, member.role === 'admin' ? 'member' : 'admin')}
            aria-label={`${member.role === 'admin' ? 'Make member' : 'Make admin'}: ${name}`}
            className={`${secondaryButton} text-xs`}
          >
            {member.role === 'admin' ? 'Make member' : 'Make admin'}
          </button>
        )}
        {canRemove && (
          <button
            type="button"
            disabled={busy}
            onClick={() => onRemove(member.userId)}
            aria-label={`Remove ${name} from the group`}
            className={`${dangerButton} text-xs`}
          >
            Remove
          </button>
        )}
      </div>
    </li>
  );
}
