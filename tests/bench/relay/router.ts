/**
 * The bare relay's router: the same procedure names and shapes the benchmark uses
 * (auth.register, chat.openDirect, chat.send, events.stream), in memory — no persistence,
 * no real authentication (the token is the user id), no rate limits, no bus. It measures
 * what tRPC over WebSocket costs on this machine, as a floor for the real system.
 */
import { randomUUID } from 'node:crypto';
import { initTRPC, tracked, TRPCError } from '@trpc/server';
import { z } from 'zod';

export interface RelayContext {
  userId: string | null;
}

interface Listener {
  push(id: string, event: unknown): void;
}

const t = initTRPC.context<RelayContext>().create();
const listeners = new Map<string, Set<Listener>>();
const conversations = new Map<string, string[]>();
const counters = new Map<string, number>();

const authed = t.procedure.use(({ ctx, next }) => {
  if (!ctx.userId) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next({ ctx: { userId: ctx.userId } });
});

/** Stream-id-like event ids (`<ms>-<n>`), increasing per user. */
function nextEventId(userId: string): string {
  const n = (counters.get(userId) ?? 0) + 1;
  counters.set(userId, n);
  return `${Date.now()}-${n}`;
}

function publish(userId: string, event: unknown): void {
  const set = listeners.get(userId);
  if (!set || set.size === 0) return;
  const id = nextEventId(userId);
  for (const l of set) l.push(id, event);
}

export const relayRouter = t.router({
  auth: t.router({
    register: t.procedure
      .input(z.object({ username: z.string(), email: z.string(), password: z.string() }))
      .mutation(({ input }) => {
        const id = randomUUID();
        return { user: { id, username: input.username }, accessToken: id };
      }),
  }),
  chat: t.router({
    openDirect: authed.input(z.object({ userId: z.string() })).mutation(({ ctx, input }) => {
      const participants = [ctx.userId, input.userId].sort();
      const id = participants.join(':');
      conversations.set(id, participants);
      return { id, participants };
    }),
    send: authed
      .input(
        z.object({
          conversationId: z.string(),
          clientId: z.string().uuid(),
          content: z.string().min(1).max(4000),
        }),
      )
      .mutation(({ ctx, input }) => {
        const participants = conversations.get(input.conversationId);
        if (!participants?.includes(ctx.userId)) throw new TRPCError({ code: 'NOT_FOUND' });
        const message = {
          id: randomUUID(),
          conversationId: input.conversationId,
          senderId: ctx.userId,
          clientId: input.clientId,
          content: input.content,
          type: 'text',
          status: 'sent',
          deliveredTo: [],
          readBy: [],
          createdAt: new Date().toISOString(),
        };
        for (const userId of participants) publish(userId, { type: 'message.new', message });
        return message;
      }),
  }),
  events: t.router({
    stream: authed
      .input(z.object({ lastEventId: z.string().optional() }).optional())
      .subscription(async function* ({ ctx, signal }) {
        const queue: Array<[string, unknown]> = [];
        let wake: (() => void) | null = null;
        const listener: Listener = {
          push(id, event) {
            queue.push([id, event]);
            wake?.();
          },
        };
        const set = listeners.get(ctx.userId) ?? new Set();
        listeners.set(ctx.userId, set);
        set.add(listener);
        const onAbort = () => wake?.();
        signal?.addEventListener('abort', onAbort);
        try {
          while (!signal?.aborted) {
            while (queue.length > 0) {
              const [id, event] = queue.shift()!;
              yield tracked(id, event);
            }
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
          }
        } finally {
          signal?.removeEventListener('abort', onAbort);
          set.delete(listener);
        }
      }),
  }),
});
