import { Types } from 'mongoose';
import { AppError } from '@chat/core';
import { requireUserId, type RpcHandlers } from '@chat/api';
import type { AttachmentRow } from '@chat/db';
import type { ChatDeps } from '../deps.js';
import { isObjectId } from '../ids.js';
import { storedAttachmentOf, toAttachment } from '../views.js';

type Handlers = Pick<
  RpcHandlers<'chat'>,
  'chat.file.begin' | 'chat.file.complete' | 'chat.file.discard' | 'chat.file.access'
>;

const fileNotFound = () => new AppError('NOT_FOUND', 'File not found');

/**
 * The records of uploads, for the gateway that streams their bytes: begin (membership
 * checked, a record in `uploading`), complete (what the bytes are), discard (a failed
 * upload), access (may this caller read it). Any chat worker answers: none of it touches a
 * conversation's state, and a message claims an upload at its conversation's owner.
 */
export const fileHandlers = ({ models, urls }: ChatDeps): Handlers => {
  const isMember = async (conversationId: string, userId: string) =>
    isObjectId(conversationId) && (await models.Member.exists({ conversationId, userId })) !== null;

  /** The caller's own upload, or NOT_FOUND. */
  const ownUpload = async (fileId: string, userId: string) => {
    const row = isObjectId(fileId)
      ? await models.Attachment.findById(fileId).lean<AttachmentRow>()
      : null;
    if (!row || row.uploaderId !== userId) throw fileNotFound();
    return row;
  };

  return {
    'chat.file.begin': async (input, meta) => {
      const me = requireUserId(meta);
      if (!(await isMember(input.conversationId, me)))
        throw new AppError('NOT_FOUND', 'Conversation not found');
      const _id = new Types.ObjectId();
      await models.Attachment.collection.insertOne({
        _id,
        conversationId: input.conversationId,
        uploaderId: me,
        name: input.name,
        status: 'uploading',
        size: 0,
        mime: 'application/octet-stream',
        kind: 'file',
        width: null,
        height: null,
        durationMs: null,
        thumbnail: false,
        messageId: null,
        claimedBy: null,
        createdAt: new Date(),
      });
      return { fileId: _id.toString() };
    },

    'chat.file.complete': async ({ fileId, ...stored }, meta) => {
      const row = await ownUpload(fileId, requireUserId(meta));
      if (row.status !== 'uploading') throw new AppError('CONFLICT', 'Upload already completed');
      const ready = { ...stored, status: 'ready' as const };
      await models.Attachment.collection.updateOne({ _id: row._id }, { $set: ready });
      return toAttachment(storedAttachmentOf({ ...row, ...ready }), urls);
    },

    'chat.file.discard': async ({ fileId }, meta) => {
      const row = await ownUpload(fileId, requireUserId(meta));
      if (row.claimedBy !== null) throw new AppError('CONFLICT', 'File is used by a message');
      await models.Attachment.collection.deleteOne({ _id: row._id });
      return { ok: true as const };
    },

    'chat.file.access': async ({ fileId }, meta) => {
      const row = isObjectId(fileId)
        ? await models.Attachment.findById(fileId).lean<AttachmentRow>()
        : null;
      if (!row || row.status !== 'ready') throw fileNotFound();
      // meta.userId null: the gateway checked a signed URL, which only members were given.
      const viewer = meta.userId ?? null;
      if (viewer !== null && !(await isMember(row.conversationId, viewer))) throw fileNotFound();
      return {
        fileId,
        conversationId: row.conversationId,
        name: row.name,
        size: row.size,
        mime: row.mime,
        kind: row.kind,
        thumbnail: row.thumbnail,
      };
    },
  };
};
