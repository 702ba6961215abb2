import { tracked, type TrackedEnvelope } from '@trpc/server';
// Lets the emitted .d.ts name tRPC's subscription types through a public entry point.
import type {} from '@trpc/server/unstable-core-do-not-import';
import { protectedProcedure, router } from '../trpc.js';
import { toTRPCError } from '../rpc.js';
import type { StreamItem } from '../context.js';
import { streamInput, type ClientEvent } from '@chat/contract';

async function* envelopes(
  items: AsyncIterable<StreamItem>,
): AsyncGenerator<TrackedEnvelope<ClientEvent> | ClientEvent, void, unknown> {
  try {
    for await (const item of items) yield item.id ? tracked(item.id, item.event) : item.event;
  } catch (err) {
    // A Redis outage ends the stream with SERVICE_UNAVAILABLE: the client resumes later.
    throw toTRPCError(err);
  }
}

export const eventsRouter = router({
  /**
   * Everything addressed to the caller. Stored events carry their log id (`tracked`),
   * so a reconnecting client resumes after `lastEventId` with no gap and no duplicate;
   * typing and presence are live only and untracked.
   */
  stream: protectedProcedure.input(streamInput).subscription(async ({ ctx, input, signal }) => {
    // Awaited before tRPC answers `started`: from the client's onStarted on, nothing is missed.
    const items = await ctx.events
      .open(ctx.user.id, input?.lastEventId, signal)
      .catch((err: unknown) => {
        throw toTRPCError(err);
      });
    return envelopes(items);
  }),
});
