import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/HTTP JSON export carries it, with its process's service name. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  /** Start and end, milliseconds since the epoch (the processes share this machine's clock). */
  startMs: number;
  endMs: number;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface ExportTraceServiceRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: OtlpAttribute[];
        startTimeUnixNano?: string | number;
        endTimeUnixNano?: string | number;
      }>;
    }>;
  }>;
}

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1 (what a collector offers on 4318): it accepts
 * the JSON the OpenTelemetry exporter posts to /v1/traces and keeps every span, or only
 * counts them (a sink for benchmarks).
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  exports = 0;
  spanCount = 0;
  private server: Server | null = null;

  /** Whether spans are kept (else only counted); may change while it runs. */
  constructor(public keep = true) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/traces') return res.writeHead(404).end();
        if (!String(req.headers['content-type']).startsWith('application/json'))
          return res.writeHead(415).end();
        try {
          this.take(JSON.parse(Buffer.concat(chunks).toString()) as ExportTraceServiceRequest);
        } catch {
          return res.writeHead(400).end();
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private take(request: ExportTraceServiceRequest): void {
    this.exports++;
    for (const resourceSpans of request.resourceSpans ?? []) {
      const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
      for (const scope of resourceSpans.scopeSpans ?? [])
        for (const span of scope.spans ?? []) {
          this.spanCount++;
          if (!this.keep) continue;
          this.spans.push({
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            name: span.name,
            kind: span.kind,
            attributes: attributesOf(span.attributes),
            startMs: epochMs(span.startTimeUnixNano),
            endMs: epochMs(span.endTimeUnixNano),
          });
        }
    }
  }
}

/** OTLP's nanoseconds (a decimal string in JSON) as epoch milliseconds, 0 if missing. */
function epochMs(nanos: string | number | undefined): number {
  if (nanos === undefined) return 0;
  return Number(BigInt(nanos) / 1_000n) / 1_000;
}

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? [])
    out[key] = value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
  return out;
}
