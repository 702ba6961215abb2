import { Types } from 'mongoose';
import { AppError, type RequestMeta } from '@chat/core';
import { chunkOf, type ChatModels } from '@chat/db';
import type { Message, SendInput } from '@chat/api';
import { searchWords } from '@chat/api';
import type { FileUrlSigner } from '@chat/files';
import { participantOf, toMessage } from '../views.js';
import { claimAttachments, loadAttachments } from './attachments.js';
import { closeGaps } from './gaps.js';
import { loadQuoted } from './replies.js';
import type { Command } from './engine.js';
import type { ConversationEvents } from './events.js';
import type { ConversationState, MessageMeta } from './state.js';
import type { ChatStore } from './store.js';

export interface SendCommand extends Command {
  input: SendInput;
  meta: RequestMeta;
}

interface Planned {
  doc: MessageMeta & { chunk: string };
  commands: SendCommand[];
}

export interface SendDeps {
  models: ChatModels;
  store: ChatStore;
  events: ConversationEvents;
  urls: FileUrlSigner;
}

/**
 * A batch of sends to one conversation: membership and idempotency from memory, consecutive
 * seqs, one insert (shared with other conversations' batches by the store's lane), then
 * the conversation's update (with the senders' own-message marks) and the announcements
 * together (each message appended to its recipients' logs, then `message.sent` published,
 * confirmed), then the answers. A `clientId` seen before returns the first
 * message (and announces it again: consumers dedupe), never a second copy.
 */
export async function runSends(
  deps: SendDeps,
  state: ConversationState,
  commands: SendCommand[],
): Promise<void> {
  const now = new Date();
  const planned: Planned[] = [];
  const byClient = new Map<string, Planned>();
  const repeats: Array<{ command: SendCommand; message: MessageMeta }> = [];
  const uploads = await loadAttachments(deps.models, state, commands);
  const quotes = await loadQuoted(deps.models, state, commands);
  for (const command of commands) {
    const me = command.meta.userId ?? '';
    if (!state.members.has(me)) {
      command.reject(new AppError('NOT_FOUND', 'Conversation not found'));
      continue;
    }
    const known = state.byClientId(me, command.input.clientId);
    if (known) {
      repeats.push({ command, message: known });
      continue;
    }
    const key = `${me}\u0000${command.input.clientId}`;
    const same = byClient.get(key);
    if (same) {
      same.commands.push(command);
      continue;
    }
    const attached = uploads.take(command, me);
    if (attached instanceof AppError) {
      command.reject(attached);
      continue;
    }
    const replyTo = command.input.replyTo === undefined ? null : quotes.get(command.input.replyTo);
    if (replyTo === undefined) {
      command.reject(new AppError('BAD_REQUEST', 'replyTo must be a message of this conversation'));
      continue;
    }
    const seq = state.lastSeq + planned.length + 1;
    const doc = {
      _id: new Types.ObjectId(),
      conversationId: state.id,
      seq,
      chunk: chunkOf(state.id, seq),
      senderId: me,
      clientId: command.input.clientId,
      content: command.input.content,
      type: command.input.type ?? attached.type,
      deletedFor: [],
      attachments: attached.stored,
      replyTo,
      replyToId: replyTo?.id ?? null,
      reactions: [],
      editedAt: null,
      deleted: false,
      words: searchWords(command.input.content),
      createdAt: now,
    };
    const entry = { doc, commands: [command] };
    planned.push(entry);
    byClient.set(key, entry);
  }

  // Claimed before the insert: a crash in between leaves claimed files (kept), never a
  // message whose files the unused-upload sweeper deletes.
  await claimAttachments(
    deps.models,
    planned.map((p) => p.doc),
  );
  const outcomes = await Promise.all(planned.map((p) => deps.store.insertMessage(p.doc)));
  const stored: Planned[] = [];
  const earlier: Array<{ commands: SendCommand[]; message: MessageMeta }> = [];
  for (const [i, entry] of planned.entries()) {
    if (outcomes[i] === 'stored') {
      stored.push(entry);
      continue;
    }
    // Refused as a duplicate: either this clientId was stored before (a retry whose first
    // attempt this owner doesn't remember), or its seq is taken — another owner wrote here.
    const first = await deps.models.Message.findOne({
      senderId: entry.doc.senderId,
      clientId: entry.doc.clientId,
    }).lean<MessageMeta>();
    if (!first) throw new Error(`seq ${entry.doc.seq} of ${state.id} is taken: reload`);
    earlier.push({ commands: entry.commands, message: first });
  }
  // Some inserts were refused: the stored ones after them move down so that seqs stay
  // consecutive (nobody has seen them yet).
  if (stored.length < planned.length)
    await closeGaps(
      deps.models,
      state.id,
      state.lastSeq,
      stored.map((p) => p.doc),
    );

  const senders = new Set<string>();
  for (const { doc } of stored) if (state.applyStored(doc)) senders.add(doc.senderId);
  // The senders' own-message marks ride in the conversation's update (sender marks); those
  // that no longer fit there go to their member documents first, so none is ever dropped.
  const evicted = state.markSenders(senders);
  await Promise.all(
    evicted.map((p) =>
      deps.store.setMember({ _id: new Types.ObjectId(p.docId), set: state.positionsToWrite(p) }),
    ),
  );
  const participants = state.participants;
  const answers: Array<{ commands: SendCommand[]; message: Message; meta?: MessageMeta }> = [
    ...stored.map((p) => ({
      commands: p.commands,
      message: toMessage(p.doc, participants, deps.urls),
      meta: p.doc,
    })),
    ...repeats.map((r) => ({
      commands: [r.command],
      message: toMessage(r.message, participants, deps.urls),
      meta: r.message,
    })),
  ];
  for (const e of earlier) {
    // A clientId reused in another conversation still names its first message, as is.
    const home =
      e.message.conversationId === state.id
        ? participants
        : (await deps.models.Member.find({ conversationId: e.message.conversationId }).lean()).map(
            participantOf,
          );
    answers.push({ commands: e.commands, message: toMessage(e.message, home, deps.urls) });
  }
  // `lastSeq` marks the sends as applied: a crash before this update leaves them beyond it,
  // where the next owner's repair finds them (repairTail; applying twice changes nothing).
  const applied = () =>
    stored.length === 0
      ? Promise.resolve()
      : deps.store.setConversation({
          _id: state.row._id,
          set: {
            lastSeq: state.row.lastSeq,
            senderMarks: state.senderMarks,
            lastMessage: state.row.lastMessage,
            updatedAt: state.row.updatedAt,
          },
        });

  // Announced (appended to the recipients' logs, then published) unless this owner saw it
  // announced before (a retry whose answer was lost), while the conversation's update lands;
  // answered when both are done. The announcements start first: what recipients wait for
  // leaves before the update's round trip is built. In seq order, each continuing the trace
  // of the send it answers.
  const announce = answers
    .filter((a) => a.message.conversationId === state.id && !a.meta?.announced)
    .sort((x, y) => (x.meta?.seq ?? 0) - (y.meta?.seq ?? 0));
  await Promise.all([
    deps.events
      .messagesSent(
        state,
        announce.map((a) => ({
          message: a.message,
          meta: a.commands[0]!.meta,
          trace: a.commands[0]!.trace,
        })),
      )
      .then(() => {
        for (const a of announce) if (a.meta) a.meta.announced = true;
      }),
    applied(),
  ]);
  for (const a of answers) for (const c of a.commands) c.resolve(a.message);
}
