import assert from 'node:assert/strict';
import { TRPCClientError } from '@chat/sdk';

interface ErrorData {
  code?: string;
  httpStatus?: number;
  zodError?: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null;
  retryAfterMs?: number;
}

/** Awaits a call that must fail with tRPC `code`; returns the error for further checks. */
export interface ApiError {
  message: string;
  data: ErrorData;
}

export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof TRPCClientError, `expected a TRPCClientError, got ${String(err)}`);
    const data = err.data as ErrorData | undefined;
    assert.equal(data?.code, code, `expected ${code}, got ${data?.code}: ${err.message}`);
    return { message: err.message, data: data ?? {} };
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}
