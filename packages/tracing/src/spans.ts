import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { tracer } from './setup.js';

export { SpanKind };
export type { Attributes, Context };

export interface SpanOptions<T> {
  kind: SpanKind;
  /** Built only when the span records (sampled), never when tracing is off. */
  attributes?: () => Attributes;
  /** The parent; default: the active span. */
  parent?: Context | undefined;
  /** An error code when `fn` resolved with a failure it doesn't throw (an error reply). */
  failure?: (result: T) => string | undefined;
}

/**
 * Runs `fn` in a new active span, ended when `fn` settles (an exception marks it failed).
 * Tracing off: just `fn()`.
 */
export function inSpan<T>(name: string, options: SpanOptions<T>, fn: () => Promise<T>): Promise<T> {
  const t = tracer();
  // Off: not even a promise of our own in between.
  return t ? recordSpan(t, name, options, fn) : fn();
}

async function recordSpan<T>(
  t: Tracer,
  name: string,
  options: SpanOptions<T>,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = t.startSpan(name, { kind: options.kind }, parent);
  if (span.isRecording() && options.attributes) span.setAttributes(options.attributes());
  try {
    const result = await context.with(trace.setSpan(parent, span), fn);
    const code = options.failure?.(result);
    if (code) markFailed(span, code);
    return result;
  } catch (err) {
    markFailed(span, (err as { code?: unknown }).code, err);
    throw err;
  } finally {
    span.end();
  }
}

export function markFailed(span: Span, code: unknown, err?: unknown): void {
  if (!span.isRecording()) return;
  const message = err instanceof Error ? err.message : undefined;
  if (err instanceof Error) span.recordException(err);
  span.setAttribute(
    'error.type',
    typeof code === 'string' ? code : (err as Error)?.name || 'Error',
  );
  span.setStatus({ code: SpanStatusCode.ERROR, ...(message ? { message } : {}) });
}

/** Writes the active trace context into message headers (W3C `traceparent`). */
export function injectContext(headers: Record<string, unknown>): void {
  if (tracer()) propagation.inject(context.active(), headers);
}

/** The trace context a message or request carries (undefined when tracing is off). */
export function extractContext(headers: object | undefined): Context | undefined {
  if (!tracer()) return undefined;
  return propagation.extract(ROOT_CONTEXT, headers ?? {});
}

/** The active context, to resume later with `withContext` (undefined when tracing is off). */
export const currentContext = (): Context | undefined => (tracer() ? context.active() : undefined);

export function withContext<T>(ctx: Context | undefined, fn: () => T): T {
  return ctx ? context.with(ctx, fn) : fn();
}

/** A child of the active span, for work outside of `inSpan`'s shape; null when nothing is traced. */
export function startChildSpan(name: string, kind: SpanKind): Span | null {
  const t = tracer();
  if (!t || !trace.getSpan(context.active())) return null;
  return t.startSpan(name, { kind });
}
