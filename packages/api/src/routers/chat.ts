import { callWorker, consumeLimit, protectedProcedure, router } from '../trpc.js';
import {
  conversationInput,
  conversationsInput,
  deleteForMeInput,
  markDeliveredInput,
  markReadInput,
  messagesInput,
  openDirectInput,
  sendInput,
  typingInput,
} from '../schemas/index.js';

export const chatRouter = router({
  conversations: protectedProcedure
    .input(conversationsInput)
    .query(({ ctx, input }) => callWorker(ctx, 'chat.conversations', input)),
  conversation: protectedProcedure
    .input(conversationInput)
    .query(({ ctx, input }) => callWorker(ctx, 'chat.conversation', input)),
  openDirect: protectedProcedure
    .input(openDirectInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'chat.openDirect', input)),
  messages: protectedProcedure
    .input(messagesInput)
    .query(({ ctx, input }) => callWorker(ctx, 'chat.messages', input)),
  send: protectedProcedure.input(sendInput).mutation(async ({ ctx, input }) => {
    await consumeLimit(ctx, 'send', ctx.user.id);
    return callWorker(ctx, 'chat.send', input);
  }),
  markDelivered: protectedProcedure
    .input(markDeliveredInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'chat.markDelivered', input)),
  markRead: protectedProcedure
    .input(markReadInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'chat.markRead', input)),
  deleteForMe: protectedProcedure
    .input(deleteForMeInput)
    .mutation(({ ctx, input }) => callWorker(ctx, 'chat.deleteForMe', input)),
  typing: protectedProcedure.input(typingInput).mutation(async ({ ctx, input }) => {
    await consumeLimit(ctx, 'typing', ctx.user.id);
    return callWorker(ctx, 'chat.typing', input);
  }),
});
