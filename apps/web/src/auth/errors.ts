import { TRPCClientError, type TRPCClientErrorLike } from '@trpc/client';
import type { AppRouter } from '@chat/api';

export type ApiError = TRPCClientErrorLike<AppRouter>;

/** Field-level validation messages from the API's `zodError.fieldErrors`, if any. */
export function fieldErrors(
  error: ApiError | null | undefined,
): Record<string, string[] | undefined> {
  const flattened = error?.data?.zodError;
  return (flattened?.fieldErrors as Record<string, string[] | undefined> | undefined) ?? {};
}

export function fieldError(error: ApiError | null | undefined, field: string): string | undefined {
  return fieldErrors(error)[field]?.[0];
}

/** A human-readable summary of a tRPC error (validation errors get a short summary). */
export function errorMessage(error: ApiError | null | undefined): string | undefined {
  if (!error) return undefined;
  const zodError = error.data?.zodError;
  if (zodError) return zodError.formErrors[0] ?? 'Please correct the highlighted fields.';
  const retryAfterMs = error.data?.retryAfterMs;
  if (typeof retryAfterMs === 'number') {
    return `${error.message} Try again in ${Math.ceil(retryAfterMs / 1000)} s.`;
  }
  return error.message;
}

export function isUnauthorized(error: ApiError | null | undefined): boolean {
  return error?.data?.code === 'UNAUTHORIZED';
}

/** A message for any thrown value (tRPC errors get the summary above). */
export function describeError(error: unknown, fallback = 'Something went wrong.'): string {
  if (error instanceof TRPCClientError && !error.data) {
    // No answer at all: the request never reached the server.
    if (/fetch|network|load failed/i.test(error.message)) return 'No connection';
  }
  if (error instanceof TRPCClientError) return errorMessage(error as ApiError) ?? fallback;
  if (error instanceof Error && error.message) return error.message;
  return fallback;
}
