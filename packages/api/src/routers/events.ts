import { tracked, type TrackedEnvelope } from '@trpc/server';
// Lets the emitted .d.ts name tRPC's subscription types through a public entry point.
import type {} from '@trpc/server/unstable-core-do-not-import';
import { protectedProcedure, router } from '../trpc.js';
import { toTRPCError } from '../rpc.js';
import type { StreamItem } from '../context.js';
import { streamInput, type ClientEvent } from '@chat/contract';

type Envelope = TrackedEnvelope<ClientEvent> | ClientEvent;

/**
 * The stream's items as tRPC sends them (stored ones `tracked` with their log id), its
 * failures as tRPC errors (a Redis outage ends it with SERVICE_UNAVAILABLE: the client
 * resumes later). A plain iterator, not a generator: an idle subscription holds no
 * suspended frame here, and tRPC's `return()` reaches the stream at once.
 */
function envelopes(items: AsyncIterable<StreamItem>): AsyncIterableIterator<Envelope> {
  const source = items[Symbol.asyncIterator]();
  const wrap = (r: IteratorResult<StreamItem, unknown>): IteratorResult<Envelope, undefined> =>
    r.done
      ? { done: true, value: undefined }
      : { done: false, value: r.value.id ? tracked(r.value.id, r.value.event) : r.value.event };
  const fail = (err: unknown): never => {
    throw toTRPCError(err);
  };
  const iterator: AsyncIterableIterator<Envelope> = {
    next: () => source.next().then(wrap, fail),
    return: () =>
      source.return
        ? source.return().then(wrap, fail)
        : Promise.resolve(wrap({ done: true, value: undefined })),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

export const eventsRouter = router({
  /**
   * Everything addressed to the caller. Stored events carry their log id (`tracked`),
   * so a reconnecting client resumes after `lastEventId` with no gap and no duplicate;
   * typing and presence are live only and untracked.
   */
  stream: protectedProcedure.input(streamInput).subscription(async ({ ctx, input }) => {
    // Awaited before tRPC answers `started`: from the client's onStarted on, nothing is missed.
    const items = await ctx.events
      .open(ctx.user.id, {
        lastEventId: input?.lastEventId,
        connectionKey: ctx.connectionKey,
        ...(ctx.connectionOpen && { connectionOpen: ctx.connectionOpen }),
      })
      .catch((err: unknown) => {
        throw toTRPCError(err);
      });
    return envelopes(items);
  }),
});
