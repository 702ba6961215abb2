import { router } from '../trpc.js';
import { forwardMutation, forwardQuery } from '../forward.js';

export const chatRouter = router({
  conversations: forwardQuery('chat.conversations'),
  conversation: forwardQuery('chat.conversation'),
  openDirect: forwardMutation('chat.openDirect'),
  messages: forwardQuery('chat.messages'),
  send: forwardMutation('chat.send', { limit: 'send' }),
  markDelivered: forwardMutation('chat.markDelivered'),
  markRead: forwardMutation('chat.markRead'),
  deleteForMe: forwardMutation('chat.deleteForMe'),
  typing: forwardMutation('chat.typing', { limit: 'typing' }),
});
