import { useMemo } from 'react';
import { describeError } from '../auth/errors';
import { removeConversation } from '../conversations/conversationCache';
import { PeopleSearch } from '../conversations/PeopleSearch';
import { openConversation } from '../lib/route';
import { trpc } from '../trpc';
import { Dialog } from '../ui/Dialog';
import { ErrorAlert } from '../ui/ErrorAlert';
import { ErrorState } from '../ui/ErrorState';
import { LoadingState } from '../ui/LoadingState';
import { dangerButton, mutedText } from '../ui/styles';
import { applyGroup } from './groupCache';
import { GroupMemberRow } from './GroupMemberRow';
import { RenameGroupForm } from './RenameGroupForm';

interface GroupInfoDialogProps {
  groupId: string;
  meId: string;
  onClose: () => void;
}

const roleOrder = { owner: 0, admin: 1, member: 2 } as const;

/** Group info: members with roles; add, remove, promote, rename (if allowed); leave. */
export function GroupInfoDialog({ groupId, meId, onClose }: GroupInfoDialogProps) {
  const utils = trpc.useUtils();
  const group = trpc.group.get.useQuery({ groupId });
  const onGroup = { onSuccess: (g: Parameters<typeof applyGroup>[1]) => applyGroup(utils, g) };
  const addMembers = trpc.group.addMembers.useMutation(onGroup);
  const removeMember = trpc.group.removeMember.useMutation(onGroup);
  const setRole = trpc.group.setRole.useMutation(onGroup);
  const leave = trpc.group.leave.useMutation({
    onSuccess() {
      if (group.data) removeConversation(utils, group.data.conversationId);
      onClose();
      openConversation(null);
    },
  });

  const members = useMemo(
    () => [...(group.data?.members ?? [])].sort((a, b) => roleOrder[a.role] - roleOrder[b.role]),
    [group.data],
  );
  const memberIds = useMemo(() => new Set(members.map((m) => m.userId)), [members]);
  const myRole = members.find((m) => m.userId === meId)?.role;
  const canManage = myRole === 'owner' || myRole === 'admin';
  const busy =
    addMembers.isPending || removeMember.isPending || setRole.isPending || leave.isPending;
  const actionError = addMembers.error ?? removeMember.error ?? setRole.error ?? leave.error;

  return (
    <Dialog
      open
      onClose={onClose}
      title={group.data ? group.data.name : 'Group info'}
      className="max-w-lg"
    >
      {group.isPending ? (
        <LoadingState label="Loading group…" />
      ) : !group.data ? (
        <ErrorState
          message={describeError(group.error, 'Could not load the group.')}
          onRetry={() => void group.refetch()}
        />
      ) : (
        <div className="space-y-5">
          {group.data.description && (
            <p className={`text-sm ${mutedText}`}>{group.data.description}</p>
          )}
          {canManage && (
            <RenameGroupForm key={group.data.name} groupId={groupId} name={group.data.name} />
          )}
          <section aria-labelledby="group-members-heading">
            <h3 id="group-members-heading" className="text-sm font-semibold">
              Members ({members.length})
            </h3>
            <ul className="divide-y divide-slate-100 dark:divide-slate-800">
              {members.map((member) => (
                <GroupMemberRow
                  key={member.userId}
                  member={member}
                  meId={meId}
                  myRole={myRole}
                  busy={busy}
                  onRemove={(userId) => removeMember.mutate({ groupId, userId })}
                  onSetRole={(userId, role) => setRole.mutate({ groupId, userId, role })}
                />
              ))}
            </ul>
          </section>
          {canManage && (
            <PeopleSearch
              label="Add people"
              actionLabel="Add to group:"
              exclude={memberIds}
              disabled={busy}
              onPick={(user) => addMembers.mutate({ groupId, userIds: [user.id] })}
            />
          )}
          {actionError && <ErrorAlert message={describeError(actionError)} />}
          <div className="flex justify-end border-t border-slate-200 pt-4 dark:border-slate-800">
            <button
              type="button"
              disabled={busy}
              onClick={() => leave.mutate({ groupId })}
              className={dangerButton}
            >
              Leave group
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
