/** Who asked and on behalf of whom; travels with every RPC and event for the logs. */
export interface RequestMeta {
  requestId: string;
  userId?: string | null;
  ip?: string | null;
  /**
   * Unique per procedure call (a batch shares its requestId; a redelivered RPC keeps its
   * callId), so handlers can make retries of one call idempotent.
   */
  callId?: string;
}
