/** WebSocket close codes the gateway uses beyond the standard ones. */
export const closeCodes = {
  /** The access token the socket was opened with expired: refresh it, then reconnect. */
  TOKEN_EXPIRED: 4001,
  /** The gateway is shutting down (standard "going away"): reconnect, maybe elsewhere. */
  GOING_AWAY: 1001,
} as const;
export type CloseCode = (typeof closeCodes)[keyof typeof closeCodes];
