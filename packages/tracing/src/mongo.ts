import { context, SpanKind, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_BATCH_SIZE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
} from '@opentelemetry/semantic-conventions';
import { markFailed } from './spans.js';
import { tracer } from './setup.js';

/** The MongoDB driver's command monitoring events (the client needs `monitorCommands`). */
export interface CommandEventSource {
  on(event: 'commandStarted', listener: (event: CommandStarted) => void): unknown;
  on(event: 'commandSucceeded', listener: (event: { requestId: number }) => void): unknown;
  on(
    event: 'commandFailed',
    listener: (event: { requestId: number; failure: Error }) => void,
  ): unknown;
}

interface CommandStarted {
  requestId: number;
  commandName: string;
  databaseName: string;
  address: string;
  command: Record<string, unknown>;
}

/** Batch sizes of the write commands (the name of their documents array). */
const BATCHES: Record<string, string> = {
  insert: 'documents',
  update: 'updates',
  delete: 'deletes',
};

/**
 * A span per MongoDB command issued inside a traced operation, from the driver's command
 * events (emitted in the caller's async context). Filters and documents are left out.
 */
export function traceMongoCommands(client: CommandEventSource): void {
  if (!tracer()) return;
  const spans = new Map<number, Span>();
  client.on('commandStarted', (event) => {
    const t = tracer();
    if (!t || !trace.getSpan(context.active())) return;
    const collection = event.command[event.commandName];
    const batch = event.command[BATCHES[event.commandName] ?? ''];
    spans.set(
      event.requestId,
      t.startSpan(
        typeof collection === 'string' ? `${event.commandName} ${collection}` : event.commandName,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR_DB_SYSTEM_NAME]: 'mongodb',
            [ATTR_DB_OPERATION_NAME]: event.commandName,
            [ATTR_DB_NAMESPACE]: event.databaseName,
            [ATTR_SERVER_ADDRESS]: event.address,
            ...(typeof collection === 'string' ? { [ATTR_DB_COLLECTION_NAME]: collection } : {}),
            ...(Array.isArray(batch) ? { [ATTR_DB_OPERATION_BATCH_SIZE]: batch.length } : {}),
          },
        },
      ),
    );
  });
  client.on('commandSucceeded', (event) => {
    spans.get(event.requestId)?.end();
    spans.delete(event.requestId);
  });
  client.on('commandFailed', (event) => {
    const span = spans.get(event.requestId);
    if (!span) return;
    spans.delete(event.requestId);
    markFailed(span, 'mongodb_error', event.failure);
    span.end();
  });
}
