import { tracingChannel } from 'node:diagnostics_channel';
import { context, SpanKind, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import { markFailed } from './spans.js';

/** What ioredis (5.10+) publishes on its `ioredis:command` tracing channel. */
interface RedisCommandContext {
  command: string;
  database: number;
  serverAddress: string;
  serverPort: number | undefined;
  error?: unknown;
}

/**
 * A span per Redis command issued inside a traced operation, from ioredis's own
 * diagnostics channel: no patching, so it works with ESM and every client instance. With
 * tracing off nobody subscribes and ioredis skips the channel entirely. Arguments are left
 * out (they carry message bodies and tokens).
 */
export function traceRedisCommands(tracer: Tracer): () => void {
  const spans = new WeakMap<object, Span>();
  const handlers = {
    start(message: unknown) {
      const ctx = message as RedisCommandContext;
      if (!trace.getSpan(context.active())) return;
      spans.set(
        ctx,
        tracer.startSpan(`redis ${ctx.command}`, {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR_DB_SYSTEM_NAME]: 'redis',
            [ATTR_DB_OPERATION_NAME]: ctx.command,
            [ATTR_DB_NAMESPACE]: String(ctx.database),
            [ATTR_SERVER_ADDRESS]: ctx.serverAddress,
            ...(ctx.serverPort ? { [ATTR_SERVER_PORT]: ctx.serverPort } : {}),
          },
        }),
      );
    },
    error(message: unknown) {
      const span = spans.get(message as object);
      const err = (message as RedisCommandContext).error;
      if (span) markFailed(span, 'redis_error', err);
    },
    asyncEnd(message: unknown) {
      spans.get(message as object)?.end();
      spans.delete(message as object);
    },
    end() {},
    asyncStart() {},
  };
  const channel = tracingChannel('ioredis:command');
  channel.subscribe(handlers);
  return () => channel.unsubscribe(handlers);
}
