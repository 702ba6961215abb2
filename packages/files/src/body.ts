import type { Readable } from 'node:stream';
import { ByteCounter } from './count.js';
import { abortError } from './errors.js';

/**
 * What a driver reads instead of the caller's `body`: the same bytes through a counter, which
 * fails when `body` errors or `signal` aborts. `body` is piped, never destroyed: when the write
 * fails for any reason it is only unpiped, so an HTTP caller can still answer (503, 413, …)
 * on the request's socket. `detach()` removes the listeners once the write has settled.
 */
export function readBody(
  body: Readable,
  signal: AbortSignal | undefined,
): { source: ByteCounter; detach: () => void } {
  const source = new ByteCounter();
  const onError = (err: Error) => source.destroy(err);
  const onAbort = () => {
    body.unpipe(source);
    source.destroy(abortError(signal!));
  };
  body.on('error', onError);
  signal?.addEventListener('abort', onAbort, { once: true });
  // A body that already failed or was consumed would never end the counter: fail at once.
  if (body.destroyed || body.readableEnded)
    source.destroy(body.errored ?? new Error('The body was already consumed or destroyed'));
  else if (signal?.aborted) onAbort();
  else body.pipe(source);
  return {
    source,
    detach: () => {
      body.unpipe(source);
      body.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
