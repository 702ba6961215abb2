/**
 * Options for prom-client's collectDefaultMetrics in every process. Its event-loop delay
 * histogram samples every 10 ms by default: 100 wake-ups a second that cost an idle process
 * ≈ 0.9 % of a core (five processes: ≈ 4 %). Every 100 ms still catches any stall that
 * matters to a chat user (a stall delays the next sample by its length).
 */
export const DEFAULT_METRICS_OPTIONS = { eventLoopMonitoringPrecision: 100 } as const;
