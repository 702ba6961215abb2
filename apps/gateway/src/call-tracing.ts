import type { IncomingMessage } from 'node:http';
import type { ApiContext } from '@chat/api';
import { extractContext, inSpan, SpanKind } from '@chat/tracing';

/**
 * A span per procedure call, child of the client's `traceparent` when the request (or, for a
 * WebSocket, its upgrade request) has one, else the root of a new trace. Undefined with
 * tracing off, so calls run unwrapped.
 */
export function callTracing(req: IncomingMessage): ApiContext['traceCall'] {
  const parent = extractContext(req.headers);
  if (!parent) return undefined;
  return (path, type, run) =>
    inSpan(
      path,
      {
        kind: SpanKind.SERVER,
        parent,
        attributes: () => ({ 'rpc.system.name': 'trpc', 'rpc.method': path, 'trpc.type': type }),
        failure: (r) => (r.code === 'OK' ? undefined : r.code),
      },
      run,
    );
}
