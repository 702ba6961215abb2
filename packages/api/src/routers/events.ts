import { tracked, type TrackedEnvelope } from '@trpc/server';
// Lets the emitted .d.ts name tRPC's subscription types through a public entry point.
import type {} from '@trpc/server/unstable-core-do-not-import';
import { protectedProcedure, router } from '../trpc.js';
import { toTRPCError } from '../rpc.js';
import { streamInput, type ClientEvent } from '@chat/contract';

export const eventsRouter = router({
  /**
   * Everything addressed to the caller. Stored events carry their log id (`tracked`),
   * so a reconnecting client resumes after `lastEventId` with no gap and no duplicate;
   * typing and presence are live only and untracked.
   */
  stream: protectedProcedure.input(streamInput).subscription(async function* ({
    ctx,
    input,
    signal,
  }): AsyncGenerator<TrackedEnvelope<ClientEvent> | ClientEvent, void, unknown> {
    try {
      for await (const item of ctx.events.stream(ctx.user.id, input?.lastEventId, signal)) {
        yield item.id ? tracked(item.id, item.event) : item.event;
      }
    } catch (err) {
      // A Redis outage ends the stream with SERVICE_UNAVAILABLE: the client resumes later.
      throw toTRPCError(err);
    }
  }),
});
