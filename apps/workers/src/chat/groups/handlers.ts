import { requireUserId, type RpcHandlers } from '@chat/api';
import type { ChatDeps } from '../deps.js';
import { Groups } from './groups.js';

type GroupMethods =
  | 'group.create'
  | 'group.get'
  | 'group.update'
  | 'group.addMembers'
  | 'group.removeMember'
  | 'group.setRole'
  | 'group.leave';

/** The `group.*` RPCs of the chat worker. */
export function groupHandlers(deps: ChatDeps): Pick<RpcHandlers<'group'>, GroupMethods> {
  const groups = new Groups(deps);
  return {
    'group.create': (input, meta) => groups.create(requireUserId(meta), input, meta),
    'group.get': (input, meta) => groups.get(requireUserId(meta), input.groupId),
    'group.update': (input, meta) => groups.update(requireUserId(meta), input, meta),
    'group.addMembers': (input, meta) => groups.addMembers(requireUserId(meta), input, meta),
    'group.removeMember': (input, meta) => groups.removeMember(requireUserId(meta), input, meta),
    'group.setRole': (input, meta) => groups.setRole(requireUserId(meta), input, meta),
    'group.leave': (input, meta) => groups.leave(requireUserId(meta), input.groupId, meta),
  };
}
