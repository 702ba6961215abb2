/** Who asked and on behalf of whom; travels with every RPC and event for the logs. */
export interface RequestMeta {
  requestId: string;
  userId?: string | null;
  ip?: string | null;
}
