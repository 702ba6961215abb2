import type { PublicUser } from '@chat/api';
import { useId, useState } from 'react';
import { describeError } from '../auth/errors';
import { PresenceDot } from '../presence/PresenceDot';
import { displayNameOf } from '../presence/useUser';
import { Avatar } from '../ui/Avatar';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Spinner } from '../ui/Spinner';
import { focusRing, inputClass, mutedText } from '../ui/styles';
import { usePeopleSearch } from './usePeopleSearch';

interface PeopleSearchProps {
  label: string;
  /** Called with the chosen person (a button per result). */
  onPick: (user: PublicUser) => void;
  /** People to leave out of the results (already chosen, already members). */
  exclude?: ReadonlySet<string>;
  /** What each result's button does, for its accessible name ("Chat with", "Add"). */
  actionLabel: string;
  disabled?: boolean;
  autoFocus?: boolean;
}

/** A search box labelled `label` with a list of matching people to pick from. */
export function PeopleSearch({
  label,
  onPick,
  exclude,
  actionLabel,
  disabled,
  autoFocus,
}: PeopleSearchProps) {
  const id = useId();
  const [text, setText] = useState('');
  const search = usePeopleSearch(text);
  const people = (search.data?.items ?? []).filter((user) => !exclude?.has(user.id));
  const searching = text.trim().length > 0;

  return (
    <div className="space-y-2">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        type="search"
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="Name or username"
        autoComplete="off"
        spellCheck={false}
        maxLength={64}
        data-autofocus={autoFocus || undefined}
        className={inputClass}
      />
      <div aria-live="polite" className="min-h-6">
        {!searching ? null : search.error ? (
          <ErrorAlert message={describeError(search.error, 'Search failed.')} />
        ) : !search.settled || search.isPending ? (
          <p className={`flex items-center gap-2 text-sm ${mutedText}`}>
            <Spinner /> Searching…
          </p>
        ) : people.length === 0 ? (
          <p className={`text-sm ${mutedText}`}>Nobody found for “{search.query}”.</p>
        ) : (
          <ul aria-label="Search results" className="max-h-72 space-y-1 overflow-y-auto">
            {people.map((user) => {
              const name = displayNameOf(user);
              return (
                <li key={user.id}>
                  <button
                    type="button"
                    disabled={disabled}
                    onClick={() => onPick(user)}
                    aria-label={`${actionLabel} ${name} (@${user.username})`}
                    className={`flex w-full items-center gap-3 rounded-lg px-2 py-2 text-left hover:bg-slate-100 disabled:opacity-60 dark:hover:bg-slate-800 ${focusRing}`}
                  >
                    <Avatar name={name} src={user.avatar} size="sm">
                      <PresenceDot status={user.status} />
                    </Avatar>
                    <span className="min-w-0">
                      <span className="block truncate font-medium">{name}</span>
                      <span className={`block truncate text-xs ${mutedText}`}>
                        @{user.username}
                      </span>
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </div>
  );
}
