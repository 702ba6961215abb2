import type { UserStatus } from '@chat/api';
import { describeError } from '../auth/errors';
import { trpc } from '../trpc';
import { ErrorAlert } from '../ui/ErrorAlert';
import { inputClass } from '../ui/styles';
import { statusLabel } from './statusLabels';

const choices: UserStatus[] = ['online', 'away', 'busy', 'offline'];

/** Sets the signed-in user's own status; applies at once. */
export function StatusPicker({ status }: { status: UserStatus }) {
  const utils = trpc.useUtils();
  const setStatus = trpc.user.setStatus.useMutation({
    onSuccess(me) {
      utils.user.me.setData(undefined, me);
    },
  });

  return (
    <div className="space-y-1">
      <label htmlFor="profile-status" className="block text-sm font-medium">
        Status
      </label>
      <select
        id="profile-status"
        value={(setStatus.isPending ? setStatus.variables?.status : undefined) ?? status}
        disabled={setStatus.isPending}
        onChange={(event) => setStatus.mutate({ status: event.target.value as UserStatus })}
        className={inputClass}
      >
        {choices.map((choice) => (
          <option key={choice} value={choice}>
            {statusLabel[choice]}
          </option>
        ))}
      </select>
      {setStatus.error && <ErrorAlert message={describeError(setStatus.error)} />}
    </div>
  );
}
