import { useState, type FormEvent } from 'react';
import { describeError } from '../auth/errors';
import { ErrorAlert } from '../ui/ErrorAlert';
import { inputClass, secondaryButton } from '../ui/styles';
import { trpc } from '../trpc';
import { applyGroup } from './groupCache';

/** Renaming, for owners and admins. */
export function RenameGroupForm({ groupId, name }: { groupId: string; name: string }) {
  const utils = trpc.useUtils();
  const [value, setValue] = useState(name);
  const update = trpc.group.update.useMutation({ onSuccess: (group) => applyGroup(utils, group) });
  const changed = value.trim() !== name && value.trim().length > 0;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (changed) update.mutate({ groupId, name: value.trim() });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-1">
      <label htmlFor="rename-group" className="block text-sm font-medium">
        Group name
      </label>
      <div className="flex gap-2">
        <input
          id="rename-group"
          value={value}
          maxLength={100}
          onChange={(event) => setValue(event.target.value)}
          className={inputClass}
        />
        <button type="submit" disabled={!changed || update.isPending} className={secondaryButton}>
          Rename
        </button>
      </div>
      {update.error && <ErrorAlert message={describeError(update.error)} />}
    </form>
  );
}
