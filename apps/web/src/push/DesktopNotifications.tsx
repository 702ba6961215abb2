import { useId } from 'react';
import { describeError } from '../auth/errors';
import { trpc } from '../trpc';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Spinner } from '../ui/Spinner';
import { mutedText, primaryButton, secondaryButton } from '../ui/styles';
import { disablePush, enablePush, usePushStatus, type PushProblem } from './pushDevice';

function problemText(problem: PushProblem): string {
  switch (problem.reason) {
    case 'dismissed':
      return 'The browser asked and no choice was made, so notifications stay off. Turn them on again to be asked again.';
    case 'push-service':
      // Chromium refuses in private windows and has no push service without Google's.
      return `Push service unavailable: this browser would not subscribe to its push service, so notifications can't reach this device. Private windows and browsers without a push service (such as Chromium builds without Google services) refuse it. The browser said: ${problem.detail}`;
    case 'server':
      return `The server could not turn on notifications for this device: ${problem.detail}`;
  }
}

/**
 * "Desktop notifications": turn Web Push on or off for this device. The browser's permission
 * prompt only ever comes from the "Turn on" click.
 */
export function DesktopNotifications() {
  const headingId = useId();
  const client = trpc.useUtils().client;
  const state = usePushStatus();
  const supported = state.kind !== 'unsupported' && state.kind !== 'denied';
  // The key is public; fetched when the control shows, so a server without push says so up front.
  const key = trpc.push.vapidPublicKey.useQuery(undefined, {
    staleTime: Infinity,
    retry: false,
    enabled: supported,
  });

  let text: string;
  switch (state.kind) {
    case 'checking':
      text = 'Checking this browser…';
      break;
    case 'unsupported':
      text = window.isSecureContext
        ? "This browser can't receive push notifications."
        : 'Push notifications need a secure (https) connection to the app.';
      break;
    case 'denied':
      text =
        'Notifications are blocked for this site. To get them, allow notifications in the browser’s site settings (the icon beside the address), then come back here.';
      break;
    case 'on':
      text = 'On for this device: a new message shows a notification while the app is closed.';
      break;
    case 'enabling':
      text = 'Turning on…';
      break;
    case 'disabling':
      text = 'Turning off…';
      break;
    case 'off':
      text = 'Get a notification on this device when a message arrives while the app is closed.';
      break;
  }

  const pending = state.kind === 'enabling' || state.kind === 'disabling';
  const on = state.kind === 'on' || state.kind === 'disabling';
  const canEnable = (state.kind === 'off' || state.kind === 'enabling') && key.data !== undefined;

  return (
    <section
      aria-labelledby={headingId}
      className="mb-4 space-y-2 rounded-lg border border-slate-200 p-3 dark:border-slate-800"
    >
      <h3 id={headingId} className="text-sm font-semibold">
        Desktop notifications
      </h3>
      <p aria-live="polite" className={`flex items-center gap-2 text-sm ${mutedText}`}>
        {(state.kind === 'checking' || pending) && <Spinner />}
        <span data-testid="push-status">{text}</span>
      </p>
      {state.kind === 'off' && state.problem && <ErrorAlert message={problemText(state.problem)} />}
      {supported && !on && key.isError && (
        <ErrorAlert
          message={`Push notifications aren't available from the server right now (${describeError(key.error, 'no key')}).`}
        />
      )}
      {on ? (
        <button
          type="button"
          disabled={pending}
          aria-busy={pending || undefined}
          onClick={() => void disablePush(client)}
          className={secondaryButton}
        >
          Turn off desktop notifications
        </button>
      ) : (
        supported &&
        state.kind !== 'checking' &&
        (key.isError ? (
          <button type="button" onClick={() => void key.refetch()} className={secondaryButton}>
            Try again
          </button>
        ) : (
          <button
            type="button"
            disabled={!canEnable || pending}
            aria-busy={pending || key.isPending || undefined}
            onClick={() => key.data && void enablePush(client, key.data.publicKey)}
            className={primaryButton}
          >
            Turn on desktop notifications
          </button>
        ))
      )}
    </section>
  );
}
