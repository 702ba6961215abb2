import { Types } from 'mongoose';
import { AppError, type RequestMeta } from '@chat/core';
import {
  MAX_GROUP_MEMBERS,
  requireUserId,
  type AddMembersInput,
  type ConversationUpdatedEvent,
  type CreateGroupInput,
  type Group,
  type GroupRole,
  type RemoveMemberInput,
  type SetRoleInput,
  type UpdateGroupInput,
} from '@chat/api';
import type { ChatModels } from '@chat/db';
import { isDuplicateKeyError } from '@chat/db';
import {
  decide,
  exceedsLimit,
  newMemberIds,
  normalizeMemberIds,
  successor,
  type GroupAction,
} from '../groups/permissions.js';
import { isObjectId } from '../ids.js';
import { toGroup, type Participant } from '../views.js';
import type { ConversationEvents } from './events.js';
import type { OwnerEngine } from './engine.js';
import { insertNewConversation } from './new-conversation.js';
import type { ConversationState } from './state.js';

export interface GroupDeps {
  models: ChatModels;
  engine: OwnerEngine;
  events: ConversationEvents;
  /** Throws NOT_FOUND unless every id is a registered user. */
  requireUsers: (ids: string[], meta: RequestMeta) => Promise<void>;
}

type Reason = ConversationUpdatedEvent['reason'];

const groupNotFound = () => new AppError('NOT_FOUND', 'Group not found');

/** The AppError for a refused decision (docs/api.md: outsiders NOT_FOUND, members FORBIDDEN). */
function enforce(action: GroupAction, callerRole: GroupRole | null, targetRole?: GroupRole | null) {
  const decision = decide(action, callerRole, targetRole ?? null);
  if (decision === 'NOT_FOUND')
    throw callerRole === null
      ? groupNotFound()
      : new AppError('NOT_FOUND', 'That user is not a member of this group');
  if (decision === 'FORBIDDEN') {
    const why: Record<GroupAction, string> = {
      view: '',
      leave: '',
      update: 'Only the owner or an admin can change the group',
      addMembers: 'Only the owner or an admin can add members',
      removeMember:
        callerRole === 'owner' || callerRole === 'admin'
          ? 'Nobody can remove the owner'
          : 'Only the owner or an admin can remove members',
      setRole:
        callerRole === 'owner'
          ? "The owner's role can't be changed"
          : 'Only the owner can change roles',
    };
    throw new AppError('FORBIDDEN', why[action]);
  }
}

/** The group this state is, else NOT_FOUND (a direct conversation is no group). */
function groupState(state: ConversationState | null): ConversationState {
  if (!state || state.row.type !== 'group') throw groupNotFound();
  return state;
}

const roleIn = (state: ConversationState, userId: string): GroupRole | null =>
  state.members.get(userId)?.role ?? null;

/**
 * Group changes at the group's owner process (a group is its conversation): checks with
 * the permission rules, member documents added/removed/updated, the conversation document
 * (name, size, activity), then `conversation.updated` to everyone affected, then the answer.
 * Serial per group (engine.ts), so each change sees the one before it.
 */
export class GroupCommands {
  constructor(private readonly deps: GroupDeps) {}

  /**
   * group.create at the new group's owner. The id is derived from the call (see
   * chat/groups/create.ts), so a redelivered create finds what its first attempt stored and
   * finishes it instead of making a second group.
   */
  create(conversationId: string, input: CreateGroupInput, meta: RequestMeta): Promise<Group> {
    const me = requireUserId(meta);
    return this.deps.engine.run(conversationId, async (existing) => {
      const others = normalizeMemberIds(me, input.memberIds);
      const now = new Date();
      const _id = new Types.ObjectId(conversationId);
      if (!existing) {
        await insertNewConversation(
          this.deps.models,
          {
            _id,
            type: 'group',
            key: `group:${conversationId}`,
            memberCount: others.length + 1,
            name: input.name,
            description: input.description ?? '',
            avatar: input.avatar ?? null,
            creatorId: me,
            announced: true,
          },
          now,
        );
      }
      const present = new Set(existing?.members.keys() ?? []);
      const missing = [me, ...others].filter((id) => !present.has(id));
      await insertMembers(
        this.deps.models,
        conversationId,
        missing.map((userId) => ({ userId, role: userId === me ? 'owner' : 'member' })),
        existing?.lastSeq ?? 0,
        now,
        existing?.nextRev() ?? 0,
      );
      // Read back what is stored (a retry may find an earlier attempt's documents).
      const state = await this.deps.engine.reload(conversationId);
      if (!state)
        throw new AppError('SERVICE_UNAVAILABLE', 'Group was removed while being created');
      await this.deps.events.conversationUpdated(
        state,
        { reason: 'created', addedUserIds: others, actorId: me },
        [],
        meta,
      );
      return toGroup(state.row, state.participants);
    });
  }

  update(input: UpdateGroupInput, meta: RequestMeta): Promise<Group> {
    const me = requireUserId(meta);
    return this.change(input.groupId, meta, async (state) => {
      enforce('update', roleIn(state, me));
      const set: Record<string, unknown> = {};
      if (input.name !== undefined && input.name !== state.row.name) set.name = input.name;
      if (input.description !== undefined && input.description !== state.row.description)
        set.description = input.description;
      if (input.avatar !== undefined && input.avatar !== (state.row.avatar ?? null))
        set.avatar = input.avatar;
      if (Object.keys(set).length === 0) return null;
      Object.assign(state.row, set);
      await this.saveConversation(state, set);
      return { reason: 'group_updated' };
    });
  }

  async addMembers(input: AddMembersInput, meta: RequestMeta): Promise<Group> {
    const me = requireUserId(meta);
    // Who exists is asked of the user worker before the group's turn (an RPC would hold up
    // every other change of the group), and only for callers who may add; inside, only ids
    // not checked here (the group changed meanwhile) are asked about.
    const checked = new Set<string>();
    const role = await this.storedRole(input.groupId, me);
    if (role === 'owner' || role === 'admin') {
      const ids = [...new Set(input.userIds)].filter((id) => id !== me);
      await this.deps.requireUsers(ids, meta);
      ids.forEach((id) => checked.add(id));
    }
    return this.change(input.groupId, meta, async (state) => {
      enforce('addMembers', roleIn(state, me));
      const members = state.participants;
      const adding = newMemberIds(members, input.userIds);
      if (adding.length === 0) return null;
      if (exceedsLimit(members, adding.length))
        throw new AppError(
          'BAD_REQUEST',
          `A group has at most ${MAX_GROUP_MEMBERS} members (${members.length} now, ${adding.length} to add)`,
        );
      await this.deps.requireUsers(
        adding.filter((id) => !checked.has(id)),
        meta,
      );
      const now = new Date();
      const added = await insertMembers(
        this.deps.models,
        state.id,
        adding.map((userId) => ({ userId, role: 'member' })),
        state.lastSeq,
        now,
        state.nextRev(),
      );
      for (const p of added) state.members.set(p.userId, p);
      await this.saveConversation(state, { memberCount: state.members.size, updatedAt: now });
      return { reason: 'members_added', addedUserIds: adding };
    });
  }

  /** The caller's role as stored (a hint: the change itself checks again in turn). */
  private async storedRole(groupId: string, userId: string): Promise<GroupRole | null> {
    if (!isObjectId(groupId)) return null;
    const row = await this.deps.models.Member.findOne(
      { conversationId: groupId, userId },
      { role: 1 },
    ).lean<{ role: GroupRole }>();
    return row?.role ?? null;
  }

  removeMember(input: RemoveMemberInput, meta: RequestMeta): Promise<Group> {
    const me = requireUserId(meta);
    return this.change(input.groupId, meta, async (state) => {
      enforce('removeMember', roleIn(state, me), roleIn(state, input.userId));
      await this.removeMembers(state, [input.userId]);
      return { reason: 'member_removed', former: [input.userId] };
    });
  }

  setRole(input: SetRoleInput, meta: RequestMeta): Promise<Group> {
    const me = requireUserId(meta);
    return this.change(input.groupId, meta, async (state) => {
      const target = state.members.get(input.userId);
      enforce('setRole', roleIn(state, me), target?.role ?? null);
      if (!target || target.role === input.role) return null;
      await this.setRoleOf(state, target, input.role);
      await this.saveConversation(state, { updatedAt: new Date() });
      return { reason: 'role_changed' };
    });
  }

  /** Leaves; the owner hands ownership over; the last member out deletes the group. */
  async leave(groupId: string, meta: RequestMeta): Promise<{ ok: true }> {
    const me = requireUserId(meta);
    await this.change(groupId, meta, async (state) => {
      const leaving = state.members.get(me);
      enforce('leave', leaving?.role ?? null);
      await this.removeMembers(state, [me]);
      if (leaving?.role === 'owner') {
        const heir = successor(state.participants);
        if (heir) await this.setRoleOf(state, state.members.get(heir.userId)!, 'owner');
      }
      return { reason: 'member_left', former: [me] };
    });
    return { ok: true };
  }

  /**
   * Runs one change on the group; `decideChange` checks the caller, applies the change to
   * the state and the store, and says what happened (null: nothing to do). Then everyone
   * affected hears of it, and the caller gets the group as it now is.
   */
  private change(
    groupId: string,
    meta: RequestMeta,
    decideChange: (
      state: ConversationState,
    ) => Promise<{ reason: Reason; addedUserIds?: string[]; former?: string[] } | null>,
  ): Promise<Group> {
    return this.deps.engine.run(groupId, async (found) => {
      const state = groupState(found);
      const change = await decideChange(state);
      if (change) {
        await this.deps.events.conversationUpdated(
          state,
          {
            reason: change.reason,
            addedUserIds: change.addedUserIds ?? [],
            actorId: requireUserId(meta),
          },
          change.former ?? [],
          meta,
        );
        // The last member left: the group goes, with its messages.
        if (state.members.size === 0) await this.destroy(state);
      }
      return toGroup(state.row, state.participants);
    });
  }

  private async removeMembers(state: ConversationState, userIds: string[]): Promise<void> {
    await this.deps.models.Member.collection.deleteMany({
      conversationId: state.id,
      userId: { $in: userIds },
    });
    for (const id of userIds) state.forget(id);
    await this.saveConversation(state, { memberCount: state.members.size, updatedAt: new Date() });
  }

  private async setRoleOf(state: ConversationState, member: Participant, role: GroupRole) {
    await this.deps.models.Member.collection.updateOne(
      { _id: new Types.ObjectId(member.docId) },
      { $set: { role } },
    );
    member.role = role;
  }

  private async saveConversation(state: ConversationState, set: Record<string, unknown>) {
    Object.assign(state.row, set);
    await this.deps.models.Conversation.collection.updateOne({ _id: state.row._id }, { $set: set });
  }

  private async destroy(state: ConversationState): Promise<void> {
    await this.deps.models.Message.collection.deleteMany({ conversationId: state.id });
    await this.deps.models.Member.collection.deleteMany({ conversationId: state.id });
    await this.deps.models.Conversation.collection.deleteOne({ _id: state.row._id });
    this.deps.engine.invalidate(state);
  }
}

/**
 * Inserts member documents (a duplicate — already a member — is skipped); new members start
 * with everything so far read, at `marksRev` (above any sender mark a former membership
 * left in the conversation document). Returns the participants as inserted, in order.
 */
export async function insertMembers(
  models: ChatModels,
  conversationId: string,
  members: Array<{ userId: string; role: GroupRole }>,
  lastSeq: number,
  now: Date,
  marksRev: number,
): Promise<Participant[]> {
  if (members.length === 0) return [];
  const docs = members.map((m) => ({
    _id: new Types.ObjectId(),
    conversationId,
    userId: m.userId,
    role: m.role,
    joinedAt: now,
    readSeq: lastSeq,
    readMarks: [],
    deliveredSeq: lastSeq,
    ownUnread: [],
    ownUnreadOlder: 0,
    hiddenUnread: [],
    hiddenUnreadOlder: 0,
    mutedUntil: null,
    marksRev,
  }));
  try {
    await models.Member.collection.insertMany(docs, { ordered: false });
  } catch (err) {
    if (!isDuplicateKeyError(err) && !(err as { writeErrors?: unknown }).writeErrors) throw err;
  }
  return docs.map((d) => ({
    docId: d._id.toString(),
    userId: d.userId,
    role: d.role,
    joinedAt: now,
    readSeq: lastSeq,
    readMarks: [],
    deliveredSeq: lastSeq,
    ownUnread: [],
    ownUnreadOlder: 0,
    hiddenUnread: [],
    hiddenUnreadOlder: 0,
    mutedUntil: null,
    marksRev,
  }));
}
