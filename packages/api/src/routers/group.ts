import { router } from '../trpc.js';
import { forwardMutation, forwardQuery } from '../forward.js';

export const groupRouter = router({
  create: forwardMutation('group.create'),
  get: forwardQuery('group.get'),
  update: forwardMutation('group.update'),
  addMembers: forwardMutation('group.addMembers'),
  removeMember: forwardMutation('group.removeMember'),
  setRole: forwardMutation('group.setRole'),
  leave: forwardMutation('group.leave'),
});
