import type { PublicUser } from '@chat/api';
import { useMemo, useState, type FormEvent } from 'react';
import { describeError, fieldError } from '../auth/errors';
import { upsertConversation } from '../conversations/conversationCache';
import { PeopleSearch } from '../conversations/PeopleSearch';
import { openConversation } from '../lib/route';
import { trpc } from '../trpc';
import { Dialog } from '../ui/Dialog';
import { ErrorAlert } from '../ui/ErrorAlert';
import { SubmitButton } from '../ui/SubmitButton';
import { TextField } from '../ui/TextField';
import { SelectedPeople } from './SelectedPeople';

interface NewGroupDialogProps {
  open: boolean;
  onClose: () => void;
}

/** "New group": a name and members; the creator becomes its owner. */
export function NewGroupDialog({ open, onClose }: NewGroupDialogProps) {
  const utils = trpc.useUtils();
  const [name, setName] = useState('');
  const [members, setMembers] = useState<PublicUser[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const chosen = useMemo(() => new Set(members.map((m) => m.id)), [members]);

  const create = trpc.group.create.useMutation({
    async onSuccess(group) {
      try {
        const conversation = await utils.chat.conversation.fetch({
          conversationId: group.conversationId,
        });
        upsertConversation(utils, conversation);
      } catch {
        void utils.chat.conversations.invalidate();
      }
      utils.group.get.setData({ groupId: group.id }, group);
      setName('');
      setMembers([]);
      onClose();
      openConversation(group.conversationId);
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (create.isPending) return;
    if (!name.trim()) return setProblem('Give the group a name.');
    if (members.length === 0) return setProblem('Add at least one member.');
    setProblem(null);
    create.mutate({ name: name.trim(), memberIds: members.map((m) => m.id) });
  }

  const error = problem ?? (create.error ? describeError(create.error) : null);

  return (
    <Dialog open={open} onClose={onClose} title="New group">
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <TextField
          id="group-name"
          label="Group name"
          value={name}
          onChange={setName}
          maxLength={100}
          required
          data-autofocus
          error={fieldError(create.error, 'name')}
        />
        <SelectedPeople
          people={members}
          onRemove={(id) => setMembers((m) => m.filter((u) => u.id !== id))}
        />
        <PeopleSearch
          label="Add members"
          actionLabel="Add"
          exclude={chosen}
          onPick={(user) => setMembers((m) => (m.some((u) => u.id === user.id) ? m : [...m, user]))}
        />
        {error && <ErrorAlert message={error} />}
        <SubmitButton pending={create.isPending}>Create group</SubmitButton>
      </form>
    </Dialog>
  );
}
