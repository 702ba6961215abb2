import { Types } from 'mongoose';
import { AppError, type Logger, type RequestMeta } from '@chat/core';
import {
  MAX_REACTIONS_PER_MESSAGE,
  quoteOf,
  requireUserId,
  searchWords,
  type Message,
  type RpcInput,
} from '@chat/api';
import type { ChatModels } from '@chat/db';
import type { FileStore, FileUrlSigner } from '@chat/files';
import { storageKeys } from '../files/sweeper.js';
import { isObjectId } from '../ids.js';
import { toMessage } from '../views.js';
import { afterHidden } from './bookkeeping.js';
import type { OwnerEngine } from './engine.js';
import type { ConversationEvents } from './events.js';
import type { ConversationState, MessageMeta } from './state.js';
import type { ChatStore } from './store.js';

export type MessageChange = RpcInput<'chat.owner.changeMessage'>['change'];

export interface MessageChangeDeps {
  models: ChatModels;
  engine: OwnerEngine;
  events: ConversationEvents;
  store: ChatStore;
  urls: FileUrlSigner;
  files: FileStore;
  log: Logger;
}

const notFound = () => new AppError('NOT_FOUND', 'Message not found');

/**
 * Edit, delete for everyone, react, unreact: one message changes at its conversation's
 * owner (one writer, so concurrent reactions never lose each other), is written with one
 * `$set` of the fields that changed, and announced as `message.updated` to every
 * participant. Replies quoting it follow an edit or a deletion.
 */
export function changeMessage(
  deps: MessageChangeDeps,
  conversationId: string,
  messageId: string,
  change: MessageChange,
  meta: RequestMeta,
): Promise<Message> {
  const me = requireUserId(meta);
  return deps.engine.run(conversationId, async (state) => {
    const member = state?.members.get(me);
    // Not (any more) a participant: the message doesn't exist for them.
    if (!state || !member) throw notFound();
    const message =
      state.byId(messageId) ??
      (isObjectId(messageId)
        ? await deps.models.Message.findById(messageId).lean<MessageMeta>()
        : null);
    if (!message || message.conversationId !== state.id) throw notFound();
    if (message.deletedFor.includes(me)) throw notFound();

    const set: Record<string, unknown> = {};
    /** Files that leave storage once the tombstone is written (never before: see `forgetFiles`). */
    let filesToForget: string[] = [];
    switch (change.kind) {
      case 'edit': {
        if (message.senderId !== me)
          throw new AppError('FORBIDDEN', 'Only the sender can edit a message');
        if (message.deleted)
          throw new AppError('BAD_REQUEST', 'A deleted message cannot be edited');
        message.content = change.content;
        message.editedAt = new Date();
        Object.assign(set, {
          content: message.content,
          editedAt: message.editedAt,
          words: searchWords(message.content),
        });
        break;
      }
      case 'delete': {
        const canModerate =
          state.row.type === 'group' && (member.role === 'owner' || member.role === 'admin');
        if (message.senderId !== me && !canModerate)
          throw new AppError(
            'FORBIDDEN',
            'Only the sender or a group admin can delete a message for everyone',
          );
        if (message.deleted) {
          // Already a tombstone: answer it again, and finish a removal of its files that a
          // crash cut short (what the message still claims).
          filesToForget = await claimedFiles(deps, messageId);
          break;
        }
        filesToForget = (message.attachments ?? []).map((a) => a.id);
        message.content = '';
        message.attachments = [];
        message.reactions = [];
        message.deleted = true;
        Object.assign(set, {
          content: '',
          attachments: [],
          reactions: [],
          deleted: true,
          words: [],
        });
        await stopCountingAsUnread(deps, state, message);
        break;
      }
      case 'react':
      case 'unreact': {
        if (message.deleted) throw new AppError('BAD_REQUEST', 'The message was deleted');
        const reactions = (message.reactions ?? []).map((r) => ({ ...r, userIds: [...r.userIds] }));
        const same = reactions.find((r) => r.emoji === change.emoji);
        if (change.kind === 'react') {
          if (same?.userIds.includes(me)) return toMessage(message, state.participants, deps.urls);
          if (same) same.userIds.push(me);
          else if (
            reactions.filter((r) => r.userIds.length > 0).length >= MAX_REACTIONS_PER_MESSAGE
          )
            throw new AppError(
              'BAD_REQUEST',
              `A message has at most ${MAX_REACTIONS_PER_MESSAGE} different reactions`,
            );
          else reactions.push({ emoji: change.emoji, userIds: [me] });
        } else {
          if (!same?.userIds.includes(me)) return toMessage(message, state.participants, deps.urls);
          same.userIds = same.userIds.filter((u) => u !== me);
        }
        message.reactions = reactions.filter((r) => r.userIds.length > 0);
        set.reactions = message.reactions;
        break;
      }
    }

    if (Object.keys(set).length > 0) {
      await deps.models.Message.collection.updateOne(
        { _id: new Types.ObjectId(messageId) },
        { $set: set },
      );
      if (change.kind === 'edit' || change.kind === 'delete') await updateQuotes(deps, message);
      if (
        state.row.lastMessage?.id === messageId &&
        change.kind !== 'react' &&
        change.kind !== 'unreact'
      ) {
        state.row.lastMessage = { ...state.row.lastMessage, content: message.content };
        await deps.store.setConversation({
          _id: state.row._id,
          set: { lastMessage: state.row.lastMessage },
        });
      }
    }
    await forgetFiles(deps, filesToForget);
    const view = toMessage(message, state.participants, deps.urls);
    if (Object.keys(set).length > 0) await deps.events.messageUpdated(state, view, meta);
    return view;
  });
}

/** Replies quoting the message show its new text, or that it was deleted. */
async function updateQuotes(deps: MessageChangeDeps, message: MessageMeta): Promise<void> {
  await deps.models.Message.collection.updateMany(
    { replyToId: message._id.toString() },
    {
      $set: {
        'replyTo.content': message.deleted ? '' : quoteOf(message.content),
        'replyTo.deleted': message.deleted ?? false,
      },
    },
  );
}

/** A deleted message no longer counts as unread for anyone who hadn't read it. */
async function stopCountingAsUnread(
  deps: MessageChangeDeps,
  state: ConversationState,
  message: MessageMeta,
): Promise<void> {
  const changed = state.participants.filter((p) =>
    afterHidden(p, message.seq, message.senderId, message.deletedFor.includes(p.userId)),
  );
  await Promise.all(
    changed.map((p) =>
      deps.store.setMember({ _id: new Types.ObjectId(p.docId), set: state.positionsToWrite(p) }),
    ),
  );
}

/** The ids of the files `messageId` claims (see the Attachment model). */
async function claimedFiles(deps: MessageChangeDeps, messageId: string): Promise<string[]> {
  const rows = await deps.models.Attachment.collection
    .find({ messageId }, { projection: { _id: 1 } })
    .toArray();
  return rows.map((r) => String(r._id));
}

/**
 * A deleted message's files leave storage with their records (best effort: logged), after
 * its tombstone is stored: a crash in between leaves files nobody can reach, which the next
 * deletion of the message removes, never a message that shows files whose bytes are gone.
 */
async function forgetFiles(deps: MessageChangeDeps, fileIds: string[]): Promise<void> {
  for (const id of fileIds) {
    try {
      await Promise.all(storageKeys(id).map((key) => deps.files.remove(key)));
      await deps.models.Attachment.collection.deleteOne({ _id: new Types.ObjectId(id) });
    } catch (err) {
      // The message is still deleted; its record stays (nothing is served whose bytes are
      // gone), and deleting the message again retries it.
      deps.log.warn({ err: (err as Error).message, fileId: id }, 'could not delete a file');
    }
  }
}
