import { MAX_GROUP_MEMBERS, type GroupRole } from '@chat/api';

/**
 * Who may do what in a group, and how member lists change — pure functions, no I/O,
 * so every rule is unit-tested on its own (test/group-permissions.test.ts).
 *
 * Outcomes follow docs/api.md: a caller who is not a member gets NOT_FOUND (the group's
 * existence is not revealed); a member lacking a permission gets FORBIDDEN.
 */

export interface Member {
  userId: string;
  role: GroupRole;
  joinedAt: Date;
}

export type GroupAction = 'view' | 'update' | 'addMembers' | 'removeMember' | 'setRole' | 'leave';

export type Decision = 'ok' | 'NOT_FOUND' | 'FORBIDDEN';

const isManager = (role: GroupRole) => role === 'owner' || role === 'admin';

/**
 * May a caller with `callerRole` (null: not a member) do `action`, on a target member
 * with `targetRole` (null: not a member; only for removeMember/setRole)?
 *
 * - view, leave: any member.
 * - update, addMembers: owner or admin.
 * - removeMember: owner or admin; the target must be a member; nobody removes the owner
 *   (the owner leaves instead). An admin may remove another admin.
 * - setRole: the owner only; the target must be a member; the owner's own role can't be
 *   changed (FORBIDDEN — ownership moves only when the owner leaves).
 */
export function decide(
  action: GroupAction,
  callerRole: GroupRole | null,
  targetRole: GroupRole | null = null,
): Decision {
  if (callerRole === null) return 'NOT_FOUND';
  switch (action) {
    case 'view':
    case 'leave':
      return 'ok';
    case 'update':
    case 'addMembers':
      return isManager(callerRole) ? 'ok' : 'FORBIDDEN';
    case 'removeMember':
      if (!isManager(callerRole)) return 'FORBIDDEN';
      if (targetRole === null) return 'NOT_FOUND';
      return targetRole === 'owner' ? 'FORBIDDEN' : 'ok';
    case 'setRole':
      if (callerRole !== 'owner') return 'FORBIDDEN';
      if (targetRole === null) return 'NOT_FOUND';
      return targetRole === 'owner' ? 'FORBIDDEN' : 'ok';
  }
}

export const roleOf = (members: readonly Member[], userId: string): GroupRole | null =>
  members.find((m) => m.userId === userId)?.role ?? null;

/**
 * The ids a creator asked for, de-duplicated in order, without the creator.
 * Throws nothing: the caller decides what an empty result means.
 */
export function normalizeMemberIds(creatorId: string, ids: readonly string[]): string[] {
  return [...new Set(ids)].filter((id) => id !== creatorId);
}

/** The initial members: the creator as owner, then the others in the order given. */
export function initialMembers(
  creatorId: string,
  otherIds: readonly string[],
  now: Date,
): Member[] {
  return [
    { userId: creatorId, role: 'owner', joinedAt: now },
    ...otherIds.map((userId) => ({ userId, role: 'member' as const, joinedAt: now })),
  ];
}

/** Ids from `ids` that are not members yet, de-duplicated in order. */
export function newMemberIds(members: readonly Member[], ids: readonly string[]): string[] {
  const present = new Set(members.map((m) => m.userId));
  return [...new Set(ids)].filter((id) => !present.has(id));
}

/** Would the group exceed MAX_GROUP_MEMBERS with `adding` more members? */
export const exceedsLimit = (members: readonly Member[], adding: number): boolean =>
  members.length + adding > MAX_GROUP_MEMBERS;

export function withAdded(members: readonly Member[], ids: readonly string[], now: Date): Member[] {
  return [...members, ...ids.map((userId) => ({ userId, role: 'member' as const, joinedAt: now }))];
}

export const withoutMember = (members: readonly Member[], userId: string): Member[] =>
  members.filter((m) => m.userId !== userId);

export const withRole = (members: readonly Member[], userId: string, role: GroupRole): Member[] =>
  members.map((m) => (m.userId === userId ? { ...m, role } : m));

/**
 * Who inherits ownership when the owner leaves `remaining` (the members after the
 * owner is gone): the longest-standing admin (earliest joinedAt), else the
 * longest-standing member; ties go to whoever is listed first (members are appended
 * as they join). Null when nobody is left.
 */
export function successor(remaining: readonly Member[]): Member | null {
  const oldest = (role: GroupRole) =>
    remaining
      .filter((m) => m.role === role)
      .reduce<Member | null>(
        (best, m) => (best === null || m.joinedAt.getTime() < best.joinedAt.getTime() ? m : best),
        null,
      );
  return oldest('admin') ?? oldest('member');
}

/**
 * The members after `userId` leaves: gone from the list and, if they were the owner,
 * ownership handed to `successor(...)`. Returns the new list and the new owner's id
 * (null when ownership did not move or nobody is left).
 */
export function afterLeave(
  members: readonly Member[],
  userId: string,
): { members: Member[]; newOwnerId: string | null } {
  const leaving = members.find((m) => m.userId === userId);
  const remaining = withoutMember(members, userId);
  if (leaving?.role !== 'owner') return { members: remaining, newOwnerId: null };
  const heir = successor(remaining);
  if (!heir) return { members: remaining, newOwnerId: null };
  return { members: withRole(remaining, heir.userId, 'owner'), newOwnerId: heir.userId };
}
