import { z } from 'zod';
import { envInt } from '@chat/core';

/** Variables of tracing, read by every process (see README "Configuration"). */
export const tracingEnv = {
  /** OTLP/HTTP collector base URL (spans go to `<url>/v1/traces`); unset = tracing off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** Service name on this process's spans; unset = the process's own (gateway, chat-worker, …). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Share of new traces recorded (0–1); a call that arrives traced keeps its caller's choice. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  /** How long finished spans wait to be exported together, in ms. */
  OTEL_BSP_SCHEDULE_DELAY: envInt(5_000),
};

export interface TracingEnv {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
  OTEL_TRACES_SAMPLER_ARG: number;
  OTEL_BSP_SCHEDULE_DELAY: number;
}
