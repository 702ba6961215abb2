import type { Conversation } from '@chat/api';
import { useState } from 'react';
import { describeError } from '../auth/errors';
import { formatFull } from '../lib/time';
import { trpc } from '../trpc';
import { Dialog } from '../ui/Dialog';
import { secondaryButton } from '../ui/styles';
import { updateConversation } from './conversationCache';
import { FOREVER, isMuted, mutedForever } from './mute';
import { MutedIcon } from './MutedIcon';

const HOUR = 60 * 60_000;
const CHOICES = [
  { label: 'For 1 hour', until: () => new Date(Date.now() + HOUR).toISOString() },
  { label: 'For 8 hours', until: () => new Date(Date.now() + 8 * HOUR).toISOString() },
  { label: 'Until I unmute', until: () => FOREVER },
] as const;

/** In the chat header: "Mute" (1 hour, 8 hours, until unmuted) or, while muted, "Unmute". */
export function MuteControl({ conversation }: { conversation: Conversation }) {
  const utils = trpc.useUtils();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const muted = isMuted(conversation);

  function mute(until: string | null) {
    setBusy(true);
    setError(undefined);
    utils.client.chat.mute
      .mutate({ conversationId: conversation.id, until })
      .then(
        (answer) => {
          // Only my setting changes: the list keeps its own order and preview.
          updateConversation(utils, conversation.id, (c) => ({
            ...c,
            mutedUntil: answer.mutedUntil,
          }));
          setOpen(false);
        },
        (reason: unknown) => setError(describeError(reason, 'Could not change the setting.')),
      )
      .finally(() => setBusy(false));
  }

  return (
    <>
      {muted ? (
        <button
          type="button"
          onClick={() => mute(null)}
          disabled={busy}
          title={
            conversation.mutedUntil && !mutedForever(conversation)
              ? `Muted until ${formatFull(conversation.mutedUntil)}`
              : 'Muted'
          }
          className={secondaryButton}
        >
          <MutedIcon />
          Unmute
        </button>
      ) : (
        <button type="button" onClick={() => setOpen(true)} className={secondaryButton}>
          Mute
        </button>
      )}
      {error && !open && (
        <p role="alert" className="sr-only">
          {error}
        </p>
      )}
      <Dialog open={open} onClose={() => setOpen(false)} title="Mute notifications">
        <p className="text-sm">
          No notifications for this conversation while muted; its messages still arrive.
        </p>
        <div className="mt-4 flex flex-col gap-2">
          {CHOICES.map((choice, index) => (
            <button
              key={choice.label}
              type="button"
              disabled={busy}
              onClick={() => mute(choice.until())}
              className={secondaryButton}
              data-autofocus={index === 0 || undefined}
            >
              {choice.label}
            </button>
          ))}
        </div>
        {error && (
          <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-300">
            {error}
          </p>
        )}
      </Dialog>
    </>
  );
}
