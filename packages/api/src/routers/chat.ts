import { callWorker, protectedProcedure, router } from '../trpc.js';
import { toTRPCError } from '../rpc.js';
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
    await ctx.limits.consume('send', ctx.user.id).catch((err: unknown) => {
      throw toTRPCError(err);
    });
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
    await ctx.limits.consume('typing', ctx.user.id).catch((err: unknown) => {
      throw toTRPCError(err);
    });
    return callWorker(ctx, 'chat.typing', input);
  }),
});
