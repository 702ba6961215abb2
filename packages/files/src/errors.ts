/** A write to a key that already holds a file: keys are written once (see README). */
export class FileExistsError extends Error {
  constructor(key: string) {
    super(`A file is already stored under ${key}`);
    this.name = 'FileExistsError';
  }
}

/** What `write` rejects with when its `signal` aborts (the signal's own reason if it is an Error). */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('The write was aborted');
  err.name = 'AbortError';
  return err;
}
