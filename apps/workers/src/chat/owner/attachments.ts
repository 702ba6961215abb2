import { Types } from 'mongoose';
import { AppError } from '@chat/core';
import type { AttachmentRow, ChatModels } from '@chat/db';
import type { MessageType } from '@chat/api';
import { isObjectId } from '../ids.js';
import { storedAttachmentOf, type StoredAttachment } from '../views.js';
import type { ConversationState } from './state.js';

/** A send's claim on uploads: who claims them, so a retried send may claim them again. */
const claimKey = (senderId: string, clientId: string) => `${senderId}:${clientId}`;

/**
 * An upload older than this can no longer be attached: the sweeper deletes unused uploads
 * after 24 h, and an hour of margin keeps a send from claiming one it is deleting.
 */
const CLAIMABLE_FOR_MS = 23 * 60 * 60 * 1000;

interface SendLike {
  input: { clientId: string; attachments?: string[] | undefined };
  meta: { userId?: string | null | undefined };
}

/** The message type of a set of attachments: their kind when all share it, else `file`. */
export function typeOfAttachments(list: readonly StoredAttachment[]): MessageType {
  if (list.length === 0) return 'text';
  const kinds = new Set(list.map((a) => a.kind));
  return kinds.size === 1 ? [...kinds][0]! : 'file';
}

export interface AttachmentPicker {
  /** The stored copies and derived type for one send, or why it can't have them. */
  take(
    command: SendLike,
    senderId: string,
  ): { stored: StoredAttachment[]; type: MessageType } | AppError;
}

/**
 * Reads the uploads a batch of sends names (one lookup by `_id` each, in parallel) and hands
 * out each to at most one message. One error for every upload that isn't the sender's in
 * this conversation, so another user's file ids reveal nothing.
 */
export async function loadAttachments(
  models: ChatModels,
  state: ConversationState,
  commands: readonly SendLike[],
): Promise<AttachmentPicker> {
  const ids = new Set(commands.flatMap((c) => c.input.attachments ?? []));
  const rows = new Map<string, AttachmentRow>();
  await Promise.all(
    [...ids].map(async (id) => {
      if (!isObjectId(id)) return;
      const row = await models.Attachment.findById(id).lean<AttachmentRow>();
      if (row) rows.set(id, row);
    }),
  );
  const taken = new Set<string>();
  const now = Date.now();
  return {
    take(command, senderId) {
      const wanted = command.input.attachments ?? [];
      const key = claimKey(senderId, command.input.clientId);
      const stored: StoredAttachment[] = [];
      for (const id of wanted) {
        const row = rows.get(id);
        if (!row || row.uploaderId !== senderId || row.conversationId !== state.id)
          return new AppError(
            'BAD_REQUEST',
            `Unknown attachment ${id}: upload it to this conversation first`,
          );
        if (row.status !== 'ready')
          return new AppError('BAD_REQUEST', `Attachment ${id} is still uploading`);
        if ((row.claimedBy !== null && row.claimedBy !== key) || taken.has(id))
          return new AppError('BAD_REQUEST', `Attachment ${id} is already used by another message`);
        if (row.claimedBy === null && now - row.createdAt.getTime() > CLAIMABLE_FOR_MS)
          return new AppError('BAD_REQUEST', `Attachment ${id} has expired: upload it again`);
        stored.push(storedAttachmentOf(row));
      }
      for (const id of wanted) taken.add(id);
      return { stored, type: typeOfAttachments(stored) };
    },
  };
}

/** Marks the uploads of messages about to be stored as theirs (one bulk write). */
export async function claimAttachments(
  models: ChatModels,
  docs: ReadonlyArray<{
    _id: Types.ObjectId;
    senderId: string;
    clientId: string;
    attachments?: readonly StoredAttachment[] | null | undefined;
  }>,
): Promise<void> {
  const ops = docs.flatMap((doc) =>
    (doc.attachments ?? []).map((a) => ({
      updateOne: {
        filter: { _id: new Types.ObjectId(a.id) },
        update: {
          $set: { messageId: doc._id.toString(), claimedBy: claimKey(doc.senderId, doc.clientId) },
        },
      },
    })),
  );
  if (ops.length > 0) await models.Attachment.collection.bulkWrite(ops, { ordered: false });
}
