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
  edit: forwardMutation('chat.edit'),
  deleteForEveryone: forwardMutation('chat.deleteForEveryone'),
  react: forwardMutation('chat.react', { limit: 'react' }),
  unreact: forwardMutation('chat.unreact', { limit: 'react' }),
  mute: forwardMutation('chat.mute'),
  search: forwardQuery('chat.search', { limit: 'search' }),
  typing: forwardMutation('chat.typing', { limit: 'typing' }),
});
