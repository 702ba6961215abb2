import type { PublicUser } from '@chat/api';
import { displayNameOf } from '../presence/useUser';
import { focusRing } from '../ui/styles';

interface SelectedPeopleProps {
  people: PublicUser[];
  onRemove: (userId: string) => void;
}

/** The people picked so far, each removable. */
export function SelectedPeople({ people, onRemove }: SelectedPeopleProps) {
  if (people.length === 0) return null;
  return (
    <ul aria-label="Selected people" className="flex flex-wrap gap-2">
      {people.map((user) => (
        <li
          key={user.id}
          className="flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pr-1 pl-3 text-sm text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100"
        >
          {displayNameOf(user)}
          <button
            type="button"
            onClick={() => onRemove(user.id)}
            aria-label={`Remove ${displayNameOf(user)}`}
            className={`inline-flex size-6 items-center justify-center rounded-full hover:bg-indigo-100 dark:hover:bg-indigo-900 ${focusRing}`}
          >
            <span aria-hidden="true">×</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
