import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import { trpc } from '../trpc';
import { ErrorAlert } from './ErrorAlert';
import { errorMessage, isUnauthorized } from './errors';
import { getTokens, setTokens } from './tokens';

const statusColour: Record<string, string> = {
  online: 'bg-emerald-500',
  away: 'bg-amber-500',
  busy: 'bg-red-500',
  offline: 'bg-slate-400',
};

function initials(name: string): string {
  const letters = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '');
  return letters.join('') || '?';
}

/** Signed-in view: the current user from `user.me`, with a sign-out button. */
export function ProfileCard() {
  const queryClient = useQueryClient();
  const utils = trpc.useUtils();
  const me = trpc.user.me.useQuery();
  const refresh = trpc.auth.refresh.useMutation();
  const logout = trpc.auth.logout.useMutation();

  // One refresh attempt per run of UNAUTHORIZED errors; reset once `user.me` succeeds again.
  const refreshTried = useRef(false);
  const handledError = useRef<unknown>(null);

  const signOutLocally = useCallback(() => {
    void queryClient.cancelQueries();
    setTokens(null);
    queryClient.removeQueries();
  }, [queryClient]);

  const { mutate: refreshMutate } = refresh;
  useEffect(() => {
    if (!me.error || me.error === handledError.current) return;
    handledError.current = me.error;
    if (!isUnauthorized(me.error)) return;
    const tokens = getTokens();
    if (refreshTried.current || !tokens) {
      signOutLocally();
      return;
    }
    refreshTried.current = true;
    refreshMutate(
      { refreshToken: tokens.refreshToken },
      {
        onSuccess(pair) {
          setTokens(pair);
          void utils.user.me.invalidate();
        },
        onError: signOutLocally,
      },
    );
  }, [me.error, refreshMutate, signOutLocally, utils]);

  useEffect(() => {
    if (me.isSuccess) refreshTried.current = false;
  }, [me.isSuccess, me.dataUpdatedAt]);

  function onSignOut() {
    const tokens = getTokens();
    if (!tokens) {
      signOutLocally();
      return;
    }
    // Forget the session locally even if the server call fails (e.g. offline).
    logout.mutate({ refreshToken: tokens.refreshToken }, { onSettled: signOutLocally });
  }

  const signOutButton = (
    <button
      type="button"
      onClick={onSignOut}
      disabled={logout.isPending}
      aria-busy={logout.isPending || undefined}
      className="rounded-md border border-slate-300 px-4 py-2 text-sm font-medium hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:cursor-not-allowed disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800"
    >
      Sign out
    </button>
  );

  const cardClass =
    'rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900';

  const unauthorized = isUnauthorized(me.error);
  if (me.isPending || refresh.isPending || (unauthorized && !me.data)) {
    return (
      <section className={cardClass} aria-busy="true">
        <p role="status" className="flex items-center gap-3 text-slate-600 dark:text-slate-400">
          <span
            aria-hidden="true"
            className="size-5 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-500"
          />
          Loading your profile…
        </p>
      </section>
    );
  }

  if (!me.data) {
    return (
      <section className={`${cardClass} space-y-4`}>
        <ErrorAlert message={errorMessage(me.error) ?? 'Could not load your profile.'} />
        <div className="flex gap-3">
          <button
            type="button"
            onClick={() => void me.refetch()}
            className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
          >
            Try again
          </button>
          {signOutButton}
        </div>
      </section>
    );
  }

  const user = me.data;
  const lastSeen = user.lastSeen ? new Date(user.lastSeen).toLocaleString() : null;

  return (
    <section className={`${cardClass} space-y-5`} aria-labelledby="profile-name">
      <div className="flex items-center gap-4">
        {user.avatar ? (
          <img src={user.avatar} alt="" className="size-16 rounded-full object-cover" />
        ) : (
          <div
            aria-hidden="true"
            className="flex size-16 items-center justify-center rounded-full bg-indigo-100 text-xl font-semibold text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300"
          >
            {initials(user.displayName || user.username)}
          </div>
        )}
        <div className="min-w-0">
          <h2 id="profile-name" className="truncate text-xl font-semibold">
            {user.displayName || user.username}
          </h2>
          <p className="truncate text-sm text-slate-600 dark:text-slate-400">@{user.username}</p>
          <p className="mt-1 flex items-center gap-2 text-sm capitalize">
            <span
              aria-hidden="true"
              className={`size-2.5 rounded-full ${statusColour[user.status] ?? 'bg-slate-400'}`}
            />
            {user.status}
          </p>
        </div>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="text-slate-500 dark:text-slate-400">Email</dt>
        <dd className="truncate">{user.email}</dd>
        {user.bio && (
          <>
            <dt className="text-slate-500 dark:text-slate-400">Bio</dt>
            <dd className="whitespace-pre-line">{user.bio}</dd>
          </>
        )}
        {lastSeen && (
          <>
            <dt className="text-slate-500 dark:text-slate-400">Last seen</dt>
            <dd>{lastSeen}</dd>
          </>
        )}
      </dl>
      {me.error && !unauthorized && <ErrorAlert message={errorMessage(me.error) ?? 'Error'} />}
      <div className="flex justify-end">{signOutButton}</div>
    </section>
  );
}
