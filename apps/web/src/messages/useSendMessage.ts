import { TRPCClientError } from '@trpc/client';
import { useCallback } from 'react';
import { describeError } from '../auth/errors';
import { bumpConversation } from '../conversations/conversationCache';
import { uuid } from '../lib/uuid';
import { trpc, type TrpcUtils } from '../trpc';
import { insertMessage } from './messageCache';
import { outbox } from './outbox';
import type { Attachment, PendingMessage } from './types';

const MAX_AUTO_RESENDS = 4;
const PERMANENT = new Set(['BAD_REQUEST', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHORIZED']);

/**
 * One send at a time per conversation: concurrent sends (one HTTP batch) would be stored
 * in whatever order the worker finishes them, not in the order they were typed.
 */
const queues = new Map<string, Promise<unknown>>();

/** Sends (or resends) one outbox entry, after the ones before it, and settles it. */
export function deliver(utils: TrpcUtils, pending: PendingMessage): void {
  outbox.update(pending.clientId, { state: 'sending', error: undefined });
  const previous = queues.get(pending.conversationId) ?? Promise.resolve();
  const done = previous.then(() => send(utils, pending));
  queues.set(pending.conversationId, done);
  void done.finally(() => {
    if (queues.get(pending.conversationId) === done) queues.delete(pending.conversationId);
  });
}

function send(utils: TrpcUtils, pending: PendingMessage): Promise<void> {
  return utils.client.chat.send
    .mutate({
      conversationId: pending.conversationId,
      clientId: pending.clientId,
      content: pending.content,
      ...(pending.attachments.length > 0
        ? { attachments: pending.attachments.map((attachment) => attachment.id) }
        : {}),
      ...(pending.replyTo ? { replyTo: pending.replyTo.id } : {}),
    })
    .then(
      (message) => {
        insertMessage(utils, message);
        bumpConversation(utils, message, false);
        outbox.remove(pending.clientId);
      },
      (error: unknown) => {
        const code =
          error instanceof TRPCClientError
            ? (error.data as { code?: string } | undefined)?.code
            : undefined;
        // Invalid or forbidden stays failed; network, busy and rate-limited resend later.
        const retryable = !code || !PERMANENT.has(code);
        const attempts = (outbox.get(pending.clientId)?.attempts ?? 0) + 1;
        outbox.update(pending.clientId, {
          state: 'failed',
          error: describeError(error, 'Not sent'),
          retryable,
          attempts,
        });
        if (retryable && attempts <= MAX_AUTO_RESENDS) {
          const retryAfterMs =
            error instanceof TRPCClientError
              ? (error.data as { retryAfterMs?: number } | undefined)?.retryAfterMs
              : undefined;
          setTimeout(
            () => {
              const current = outbox.get(pending.clientId);
              if (current?.state === 'failed') deliver(utils, current);
            },
            retryAfterMs ?? 1_000 * 2 ** attempts,
          );
        }
      },
    );
}

/**
 * Sending with local echo: the message shows at once under a fresh clientId; a retry
 * reuses that clientId, so the server never stores it twice. Attachments are uploaded
 * before (the composer's tray) and go by id.
 */
export function useSendMessage(conversationId: string) {
  const utils = trpc.useUtils();

  const send = useCallback(
    (content: string, attachments: Attachment[] = [], replyTo?: PendingMessage['replyTo']) => {
      const pending: PendingMessage = {
        clientId: uuid(),
        conversationId,
        content,
        attachments,
        ...(replyTo ? { replyTo } : {}),
        createdAt: new Date().toISOString(),
        state: 'sending',
      };
      outbox.put(pending);
      deliver(utils, pending);
    },
    [conversationId, utils],
  );

  const retry = useCallback(
    (clientId: string) => {
      const pending = outbox.get(clientId);
      if (pending && pending.state === 'failed') deliver(utils, pending);
    },
    [utils],
  );

  return { send, retry };
}
