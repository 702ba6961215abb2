import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GroupRole } from '@chat/api';
import {
  afterLeave,
  decide,
  exceedsLimit,
  initialMembers,
  newMemberIds,
  normalizeMemberIds,
  roleOf,
  successor,
  withAdded,
  withoutMember,
  withRole,
  type Decision,
  type GroupAction,
  type Member,
} from '../src/chat/groups/permissions.js';

const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute));
const member = (userId: string, role: GroupRole, minute: number): Member => ({
  userId,
  role,
  joinedAt: at(minute),
});

describe('group permissions: decide(action, callerRole, targetRole)', () => {
  type Caller = GroupRole | null;
  const callers: Caller[] = [null, 'member', 'admin', 'owner'];

  // Expected decision per caller: outsider, member, admin, owner.
  const plain: [GroupAction, Decision[]][] = [
    ['view', ['NOT_FOUND', 'ok', 'ok', 'ok']],
    ['leave', ['NOT_FOUND', 'ok', 'ok', 'ok']],
    ['update', ['NOT_FOUND', 'FORBIDDEN', 'ok', 'ok']],
    ['addMembers', ['NOT_FOUND', 'FORBIDDEN', 'ok', 'ok']],
  ];
  for (const [action, expected] of plain) {
    callers.forEach((caller, i) => {
      test(`${action} by ${caller ?? 'outsider'} → ${expected[i]}`, () => {
        assert.equal(decide(action, caller), expected[i]);
      });
    });
  }

  // [caller, target] → decision, for the two actions that name a target member.
  const targeted: [GroupAction, Caller, Caller, Decision][] = [
    ['removeMember', null, 'member', 'NOT_FOUND'],
    ['removeMember', 'member', 'member', 'FORBIDDEN'],
    ['removeMember', 'member', null, 'FORBIDDEN'],
    ['removeMember', 'admin', 'member', 'ok'],
    ['removeMember', 'admin', 'admin', 'ok'],
    ['removeMember', 'admin', 'owner', 'FORBIDDEN'],
    ['removeMember', 'admin', null, 'NOT_FOUND'],
    ['removeMember', 'owner', 'member', 'ok'],
    ['removeMember', 'owner', 'admin', 'ok'],
    ['removeMember', 'owner', 'owner', 'FORBIDDEN'],
    ['removeMember', 'owner', null, 'NOT_FOUND'],
    ['setRole', null, 'member', 'NOT_FOUND'],
    ['setRole', 'member', 'member', 'FORBIDDEN'],
    ['setRole', 'admin', 'member', 'FORBIDDEN'],
    ['setRole', 'admin', null, 'FORBIDDEN'],
    ['setRole', 'owner', 'member', 'ok'],
    ['setRole', 'owner', 'admin', 'ok'],
    ['setRole', 'owner', 'owner', 'FORBIDDEN'],
    ['setRole', 'owner', null, 'NOT_FOUND'],
  ];
  for (const [action, caller, target, expected] of targeted) {
    test(`${action} by ${caller ?? 'outsider'} on ${target ?? 'a non-member'} → ${expected}`, () => {
      assert.equal(decide(action, caller, target), expected);
    });
  }
});

describe('group member lists', () => {
  test('normalizeMemberIds de-duplicates in order and drops the creator', () => {
    assert.deepEqual(normalizeMemberIds('me', ['b', 'me', 'a', 'b', 'c', 'a']), ['b', 'a', 'c']);
    assert.deepEqual(normalizeMemberIds('me', ['me', 'me']), []);
  });

  test('initialMembers: the creator is owner, the others members, all joined now', () => {
    assert.deepEqual(initialMembers('me', ['a', 'b'], at(0)), [
      member('me', 'owner', 0),
      member('a', 'member', 0),
      member('b', 'member', 0),
    ]);
  });

  test('newMemberIds ignores members and duplicates; withAdded appends them as members', () => {
    const members = [member('o', 'owner', 0), member('a', 'member', 1)];
    const adding = newMemberIds(members, ['a', 'b', 'o', 'b', 'c']);
    assert.deepEqual(adding, ['b', 'c']);
    assert.deepEqual(withAdded(members, adding, at(5)), [
      ...members,
      member('b', 'member', 5),
      member('c', 'member', 5),
    ]);
  });

  test('exceedsLimit: 10,000 members in total at most', () => {
    const members = Array.from({ length: 9_995 }, (_, i) => member(`u${i}`, 'member', i));
    assert.equal(exceedsLimit(members, 5), false);
    assert.equal(exceedsLimit(members, 6), true);
  });

  test('roleOf / withoutMember / withRole', () => {
    const members = [member('o', 'owner', 0), member('a', 'member', 1)];
    assert.equal(roleOf(members, 'o'), 'owner');
    assert.equal(roleOf(members, 'a'), 'member');
    assert.equal(roleOf(members, 'x'), null);
    assert.deepEqual(withoutMember(members, 'a'), [member('o', 'owner', 0)]);
    assert.deepEqual(withRole(members, 'a', 'admin'), [
      member('o', 'owner', 0),
      member('a', 'admin', 1),
    ]);
    assert.deepEqual(members[1], member('a', 'member', 1), 'inputs are not mutated');
  });
});

describe('ownership hand-over', () => {
  test('the longest-standing admin inherits, even over older members', () => {
    const remaining = [
      member('m1', 'member', 1),
      member('a2', 'admin', 3),
      member('a1', 'admin', 2),
      member('m2', 'member', 4),
    ];
    assert.equal(successor(remaining)?.userId, 'a1');
  });

  test('no admin: the longest-standing member inherits', () => {
    const remaining = [member('m2', 'member', 4), member('m1', 'member', 1)];
    assert.equal(successor(remaining)?.userId, 'm1');
  });

  test('ties (members who joined together) go to whoever is listed first', () => {
    const remaining = [member('x', 'member', 1), member('y', 'member', 1)];
    assert.equal(successor(remaining)?.userId, 'x');
  });

  test('nobody left: no successor', () => {
    assert.equal(successor([]), null);
  });

  test('afterLeave: the owner leaves, the heir becomes owner', () => {
    const members = [member('o', 'owner', 0), member('m', 'member', 1), member('a', 'admin', 2)];
    assert.deepEqual(afterLeave(members, 'o'), {
      members: [member('m', 'member', 1), member('a', 'owner', 2)],
      newOwnerId: 'a',
    });
  });

  test('afterLeave: a member leaves, ownership stays', () => {
    const members = [member('o', 'owner', 0), member('m', 'member', 1)];
    assert.deepEqual(afterLeave(members, 'm'), {
      members: [member('o', 'owner', 0)],
      newOwnerId: null,
    });
  });

  test('afterLeave: the last member leaves, nobody is left', () => {
    assert.deepEqual(afterLeave([member('o', 'owner', 0)], 'o'), { members: [], newOwnerId: null });
  });
});
