import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { AppError, type RequestMeta } from '@chat/core';
import { isDuplicateKeyError } from '@chat/db';
import {
  MAX_GROUP_MEMBERS,
  type AddMembersInput,
  type ConversationUpdatedEvent,
  type CreateGroupInput,
  type Group,
  type RemoveMemberInput,
  type SetRoleInput,
  type UpdateGroupInput,
} from '@chat/api';
import type { ChatDeps } from '../deps.js';
import {
  afterLeave,
  decide,
  exceedsLimit,
  initialMembers,
  newMemberIds,
  normalizeMemberIds,
  roleOf,
  withAdded,
  withoutMember,
  withRole,
  type GroupAction,
  type Member,
} from './permissions.js';
import { isObjectId } from '../access.js';
import { withConversationLock } from '../lock.js';
import { conversationState } from '../views.js';
import { toGroup, type GroupConversationRow, type GroupRow } from './views.js';

/** How often a member-array change is retried after losing the `version` race. */
const MAX_ATTEMPTS = 10;

type Reason = ConversationUpdatedEvent['reason'];

/** What one change does to a group; null = nothing to do (reply with the group as it is). */
interface Change {
  set?: Partial<Pick<GroupRow, 'name' | 'description' | 'avatar'>>;
  members?: Member[];
  reason: Reason;
  addedUserIds?: string[];
}

const notFound = () => new AppError('NOT_FOUND', 'Group not found');

/** Throws the AppError for a refused decision. */
function enforce(
  action: GroupAction,
  callerRole: Member['role'] | null,
  targetRole?: Member['role'] | null,
) {
  const decision = decide(action, callerRole, targetRole ?? null);
  if (decision === 'NOT_FOUND')
    throw callerRole === null
      ? notFound()
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

/**
 * Groups and their conversation. `group.members` is the source of truth; the
 * conversation's `participants` (which every chat procedure checks) follow it in a
 * second write, before the reply. Every change runs under the conversation's lock
 * (../lock.ts: FerretDB updates are not isolated), which also orders it with sends and
 * receipts; member arrays are rewritten whole (FerretDB has no positional updates),
 * guarded by `version` as well, and the conversation remembers the `groupVersion` it
 * reflects, so a change interrupted by a crash is completed by the next one.
 */
export class Groups {
  constructor(private readonly deps: ChatDeps) {}

  private get models() {
    return this.deps.models;
  }

  // ---------------------------------------------------------------- create

  /**
   * Creates the group and its conversation. Safe to retry: both ids derive from the
   * caller, the request id and the input, so a redelivered RPC finds what the first
   * attempt stored (duplicate keys) and finishes any step it missed, instead of creating
   * a second group. (Calls batched into one HTTP request share a request id; two
   * identical creates in one batch therefore yield one group.)
   */
  async create(callerId: string, input: CreateGroupInput, meta: RequestMeta): Promise<Group> {
    const others = normalizeMemberIds(callerId, input.memberIds);
    if (others.length === 0)
      throw new AppError('BAD_REQUEST', 'A group needs at least one member besides you');
    if (others.length + 1 > MAX_GROUP_MEMBERS)
      throw new AppError('BAD_REQUEST', `A group has at most ${MAX_GROUP_MEMBERS} members`);
    await this.requireExistingUsers(others, meta);

    const digest = createHash('sha256')
      .update(JSON.stringify([callerId, meta.callId ?? meta.requestId, input]))
      .digest('hex');
    const groupId = new Types.ObjectId(digest.slice(0, 24));
    const conversationId = new Types.ObjectId(digest.slice(24, 48));
    const now = new Date();

    // Group first: a crash before the conversation exists leaves a group nobody can
    // reach (no conversation lists it), never a conversation pointing at nothing.
    try {
      await this.models.Group.create({
        _id: groupId,
        name: input.name,
        description: input.description ?? '',
        avatar: input.avatar ?? null,
        creatorId: callerId,
        conversationId: String(conversationId),
        members: initialMembers(callerId, others, now),
        version: 0,
        createdAt: now,
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const group = await this.models.Group.findById(groupId).lean<GroupRow>();
    if (!group) throw new AppError('SERVICE_UNAVAILABLE', 'Group was removed while being created');

    const participants = group.members.map((m) => m.userId);
    try {
      await this.models.Conversation.create({
        _id: conversationId,
        type: 'group',
        key: `group:${String(groupId)}`,
        participants,
        groupId: String(groupId),
        groupName: group.name,
        groupAvatar: group.avatar ?? null,
        groupVersion: group.version,
        seq: 0,
        lastSeq: 0,
        lastMessage: null,
        unread: Object.fromEntries(participants.map((id) => [id, 0])),
        readUpTo: Object.fromEntries(participants.map((id) => [id, 0])),
        createdAt: group.createdAt,
        updatedAt: group.createdAt,
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    let conversation = await this.loadConversation(group);
    // A retry that finds a group changed since: bring the conversation up to date.
    if ((conversation.groupVersion ?? 0) < group.version) {
      const behind = conversation;
      conversation = await withConversationLock(this.deps.redis, group.conversationId, () =>
        this.syncConversation(group, behind, now),
      );
    }

    await this.publish(meta, {
      conversation: conversationState(conversation),
      audience: participants,
      reason: 'created',
      addedUserIds: participants.filter((id) => id !== group.creatorId),
      actorId: callerId,
    });
    return toGroup(group);
  }

  // ---------------------------------------------------------------- reads

  async get(callerId: string, groupId: string): Promise<Group> {
    const group = await this.findGroup(groupId);
    if (!group) throw notFound();
    enforce('view', roleOf(group.members, callerId));
    return toGroup(group);
  }

  // ---------------------------------------------------------------- changes

  async update(callerId: string, input: UpdateGroupInput, meta: RequestMeta): Promise<Group> {
    return this.change(input.groupId, callerId, meta, (group) => {
      enforce('update', roleOf(group.members, callerId));
      const set: Change['set'] = {};
      if (input.name !== undefined && input.name !== group.name) set.name = input.name;
      if (input.description !== undefined && input.description !== group.description)
        set.description = input.description;
      if (input.avatar !== undefined && input.avatar !== (group.avatar ?? null))
        set.avatar = input.avatar;
      return Object.keys(set).length > 0 ? { set, reason: 'group_updated' } : null;
    });
  }

  async addMembers(callerId: string, input: AddMembersInput, meta: RequestMeta): Promise<Group> {
    // Existence is checked before taking the lock (an RPC is too slow to hold it), and
    // inside only for ids that were not checked (the group changed in between).
    const known = new Set<string>();
    const current = await this.findGroup(input.groupId);
    const callerRole = current ? roleOf(current.members, callerId) : null;
    if (current && (callerRole === 'owner' || callerRole === 'admin')) {
      const adding = newMemberIds(current.members, input.userIds);
      if (adding.length > 0 && !exceedsLimit(current.members, adding.length)) {
        await this.requireExistingUsers(adding, meta);
        adding.forEach((id) => known.add(id));
      }
    }
    return this.change(input.groupId, callerId, meta, async (group) => {
      enforce('addMembers', roleOf(group.members, callerId));
      const adding = newMemberIds(group.members, input.userIds);
      if (adding.length === 0) return null;
      if (exceedsLimit(group.members, adding.length))
        throw new AppError(
          'BAD_REQUEST',
          `A group has at most ${MAX_GROUP_MEMBERS} members (${group.members.length} now, ${adding.length} to add)`,
        );
      const unchecked = adding.filter((id) => !known.has(id));
      if (unchecked.length > 0) {
        await this.requireExistingUsers(unchecked, meta);
        unchecked.forEach((id) => known.add(id));
      }
      return {
        members: withAdded(group.members, adding, new Date()),
        reason: 'members_added',
        addedUserIds: adding,
      };
    });
  }

  async removeMember(
    callerId: string,
    input: RemoveMemberInput,
    meta: RequestMeta,
  ): Promise<Group> {
    return this.change(input.groupId, callerId, meta, (group) => {
      enforce('removeMember', roleOf(group.members, callerId), roleOf(group.members, input.userId));
      return { members: withoutMember(group.members, input.userId), reason: 'member_removed' };
    });
  }

  async setRole(callerId: string, input: SetRoleInput, meta: RequestMeta): Promise<Group> {
    return this.change(input.groupId, callerId, meta, (group) => {
      const targetRole = roleOf(group.members, input.userId);
      enforce('setRole', roleOf(group.members, callerId), targetRole);
      if (targetRole === input.role) return null;
      return { members: withRole(group.members, input.userId, input.role), reason: 'role_changed' };
    });
  }

  /** Leaves; the owner hands ownership over; the last member out deletes the group. */
  async leave(callerId: string, groupId: string, meta: RequestMeta): Promise<{ ok: true }> {
    await this.change(groupId, callerId, meta, (group) => {
      enforce('leave', roleOf(group.members, callerId));
      return { members: afterLeave(group.members, callerId).members, reason: 'member_left' };
    });
    return { ok: true };
  }

  // ---------------------------------------------------------------- machinery

  /**
   * Reads the group, lets `decide` check the caller and compute the change, writes it
   * guarded by `version` (retrying a lost race), syncs the conversation, publishes
   * `conversation.updated` (confirmed) and returns the group as it now is.
   */
  private async change(
    groupId: string,
    callerId: string,
    meta: RequestMeta,
    decideChange: (group: GroupRow) => Change | null | Promise<Change | null>,
  ): Promise<Group> {
    // The conversation lock (../lock.ts) serializes every write to the conversation, and
    // here also every change of its group: on FerretDB a `version` filter alone does not
    // (its updates are read-modify-write without isolation). The conversation id never
    // changes, so an unlocked read finds it.
    const group = await this.findGroup(groupId);
    if (!group) throw notFound();
    return withConversationLock(this.deps.redis, group.conversationId, () =>
      this.changeLocked(groupId, callerId, meta, decideChange),
    );
  }

  private async changeLocked(
    groupId: string,
    callerId: string,
    meta: RequestMeta,
    decideChange: (group: GroupRow) => Change | null | Promise<Change | null>,
  ): Promise<Group> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const group = await this.findGroup(groupId);
      if (!group) throw notFound();
      let conversation = await this.loadConversation(group);
      // Repair after a crash between the group write and the conversation sync.
      if ((conversation.groupVersion ?? 0) < group.version)
        conversation = await this.syncConversation(group, conversation, new Date());

      const change = await decideChange(group);
      if (!change) return toGroup(group);

      const next: GroupRow = {
        ...group,
        ...change.set,
        members: change.members ?? group.members,
        version: group.version + 1,
      };
      const { matchedCount } = await this.models.Group.updateOne(
        { _id: group._id, version: group.version },
        {
          $set: {
            ...change.set,
            ...(change.members ? { members: change.members } : {}),
            version: next.version,
          },
        },
      );
      // Changed meanwhile (only if the lock expired under us): redo on fresh data.
      if (matchedCount === 0) continue;

      const before = conversation.participants;
      conversation = await this.syncConversation(next, conversation, new Date());
      const now = new Set(next.members.map((m) => m.userId));
      await this.publish(meta, {
        conversation: conversationState(conversation),
        audience: [...now, ...before.filter((id) => !now.has(id))],
        reason: change.reason,
        addedUserIds: change.addedUserIds ?? [],
        actorId: callerId,
      });
      // The last member left: the group goes, with its conversation and messages.
      if (next.members.length === 0) await this.destroy(next);
      return toGroup(next);
    }
    throw new AppError('SERVICE_UNAVAILABLE', 'The group is changing too often; try again');
  }

  /**
   * Makes the conversation reflect `group` (participants, name/avatar snapshot): new
   * participants start with unread 0 and everything so far counted as read, removed
   * ones lose their counters. Callers hold the conversation lock; `groupVersion` only
   * moves forward. Returns the conversation as it now is.
   */
  private async syncConversation(
    group: GroupRow,
    conversation: GroupConversationRow,
    now: Date,
  ): Promise<GroupConversationRow> {
    const participants = group.members.map((m) => m.userId);
    const after = new Set(participants);
    const before = new Set(conversation.participants);
    const set: Record<string, unknown> = {
      participants,
      groupName: group.name,
      groupAvatar: group.avatar ?? null,
      groupVersion: group.version,
      updatedAt: now,
    };
    for (const id of participants) {
      if (before.has(id)) continue;
      set[`unread.${id}`] = 0;
      set[`readUpTo.${id}`] = conversation.seq;
    }
    const unset: Record<string, ''> = {};
    for (const id of conversation.participants) {
      if (after.has(id)) continue;
      unset[`unread.${id}`] = '';
      unset[`readUpTo.${id}`] = '';
    }
    const updated = await this.models.Conversation.findOneAndUpdate(
      { _id: conversation._id, groupVersion: { $lt: group.version } },
      {
        $set: set,
        ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
        // Unread counters changed: a recount that read them before must start over.
        $inc: { unreadRev: 1 },
      },
      { new: true },
    ).lean<GroupConversationRow>();
    // Null: this version (or a newer one) is there already.
    return updated ?? this.loadConversation(group);
  }

  /** Deletes an emptied group: its messages, its conversation, then the group itself. */
  private async destroy(group: GroupRow): Promise<void> {
    await this.models.Message.deleteMany({ conversationId: group.conversationId });
    await this.models.Conversation.deleteOne({ _id: group.conversationId });
    await this.models.Group.deleteOne({ _id: group._id, version: group.version });
  }

  private async findGroup(groupId: string): Promise<GroupRow | null> {
    if (!isObjectId(groupId)) return null;
    const group = await this.models.Group.findById(groupId).lean<GroupRow>();
    // An emptied group is being deleted (the last member left): it no longer exists.
    return group && group.members.length > 0 ? group : null;
  }

  private async loadConversation(group: GroupRow): Promise<GroupConversationRow> {
    const conversation = await this.models.Conversation.findById(
      group.conversationId,
    ).lean<GroupConversationRow>();
    if (!conversation) {
      // Only between the two inserts of an interrupted create; a retry of it finishes the job.
      this.deps.log.warn({ groupId: String(group._id) }, 'group without its conversation');
      throw notFound();
    }
    return conversation;
  }

  /** Throws NOT_FOUND naming how many of `ids` are not registered users. */
  private async requireExistingUsers(ids: string[], meta: RequestMeta): Promise<void> {
    const { userIds } = (await this.deps.bus.call(
      'user',
      'user.existing',
      { userIds: ids },
      meta,
      this.deps.env.RPC_TIMEOUT_MS,
    )) as { userIds: string[] };
    const known = new Set(userIds);
    const unknown = ids.filter((id) => !known.has(id)).length;
    if (unknown > 0)
      throw new AppError(
        'NOT_FOUND',
        unknown === 1
          ? '1 of those users does not exist'
          : `${unknown} of those users do not exist`,
      );
  }

  private async publish(meta: RequestMeta, event: ConversationUpdatedEvent): Promise<void> {
    await this.deps.bus.publish('chat_events', 'conversation.updated', event, meta);
  }
}
