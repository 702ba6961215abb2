import fc from 'fast-check';
import { toWire } from './hostile-values.js';
import type { ProcedureInfo } from './procedures.js';
import { hostileArbitrary, validArbitrary, type KnownValues } from './schema-arbitrary.js';
import type { Tally } from './tally.js';
import { WsConnection } from './ws-connection.js';

/** Who a call is made as: a signed-in user, nobody, or someone with a forged token. */
export type Caller = 'a' | 'b' | 'none' | 'forged';

export interface FuzzCase {
  procedure: ProcedureInfo;
  /** JSON text of the input, or null to send none. */
  input: string | null;
  caller: Caller;
  valid: boolean;
}

export interface Target {
  url: string;
  tokens: Record<'a' | 'b', string>;
  known: KnownValues;
}

const FORGED_TOKEN =
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiIwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAiLCJleHAiOjk5OTk5OTk5OTl9.';
const ANSWER_BOUND_MS = 30_000;

/** Valid, boundary and hostile inputs for every procedure (weights favour hostile ones). */
export function caseArbitrary(procedures: ProcedureInfo[], known: KnownValues) {
  return fc.constantFrom(...procedures).chain((procedure) => {
    const schema = procedure.schema;
    const input: fc.Arbitrary<{ value: unknown; valid: boolean } | null> = schema
      ? fc.oneof(
          {
            weight: 2,
            arbitrary: validArbitrary(schema, known).map((value) => ({ value, valid: true })),
          },
          {
            weight: 5,
            arbitrary: hostileArbitrary(schema, known).map((value) => ({ value, valid: false })),
          },
          { weight: 1, arbitrary: fc.constant(null) },
        )
      : fc.constant(null);
    return fc
      .tuple(input, fc.constantFrom<Caller>('a', 'a', 'a', 'b', 'b', 'none', 'forged'))
      .map(([drawn, caller]): FuzzCase => ({
        procedure,
        input: drawn ? toWire(drawn.value) : null,
        caller,
        valid: drawn?.valid ?? true,
      }));
  });
}

function tokenOf(target: Target, caller: Caller): string | null {
  if (caller === 'none') return null;
  if (caller === 'forged') return FORGED_TOKEN;
  return target.tokens[caller];
}

const describeCase = (c: FuzzCase) =>
  `${c.procedure.path} as ${c.caller} input=${c.input === null ? '(none)' : c.input.slice(0, 200)}`;

/** One call over HTTP: GET for queries and subscriptions, POST for mutations. */
export async function sendHttp(target: Target, c: FuzzCase, tally: Tally): Promise<void> {
  const token = tokenOf(target, c.caller);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const isGet = c.procedure.type !== 'mutation';
  const query = isGet && c.input !== null ? `?input=${encodeURIComponent(c.input)}` : '';
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ANSWER_BOUND_MS);
  tally.sent++;
  try {
    const res = await fetch(`${target.url}/trpc/${c.procedure.path}${query}`, {
      method: isGet ? 'GET' : 'POST',
      headers,
      ...(isGet ? {} : { body: c.input ?? '' }),
      signal: abort.signal,
    });
    let code = 'OK';
    if (res.headers.get('content-type')?.includes('text/event-stream')) {
      code = 'SSE';
      abort.abort(); // a subscription over HTTP streams forever: its status is the answer
    } else {
      const text = await res.text();
      try {
        const body = JSON.parse(text) as { error?: { data?: { code?: string } } };
        if (body.error) code = body.error.data?.code ?? 'UNKNOWN';
      } catch {
        code = 'non-JSON';
      }
    }
    tally.record('http', res.status, code);
    if (res.status >= 500) tally.serverError(`http ${res.status} ${code}`, describeCase(c));
  } catch (err) {
    if (abort.signal.aborted) {
      tally.hang(`http ${describeCase(c)}`);
    } else {
      tally.record('http', 'network-error', (err as Error).message);
    }
  } finally {
    clearTimeout(timer);
  }
}

/** WebSocket connections per caller, reopened when the server closes one. */
export class WsPool {
  private readonly connections = new Map<Caller, Promise<WsConnection>>();
  constructor(private readonly target: Target) {}

  async get(caller: Caller): Promise<WsConnection> {
    const existing = this.connections.get(caller);
    if (existing) {
      const conn = await existing.catch(() => null);
      if (conn?.open) return conn;
    }
    const opening = WsConnection.open(this.target.url, tokenOf(this.target, caller));
    this.connections.set(caller, opening);
    return opening;
  }

  async close(): Promise<void> {
    for (const conn of this.connections.values()) (await conn.catch(() => null))?.close();
  }
}

/** One call over WebSocket, in tRPC's JSON-RPC framing with the raw input text. */
export async function sendWs(pool: WsPool, c: FuzzCase, tally: Tally): Promise<void> {
  tally.sent++;
  let conn: WsConnection;
  try {
    conn = await pool.get(c.caller);
  } catch (err) {
    tally.record('ws', 'connect-error', (err as Error).message);
    return;
  }
  const answer = await conn.call(c.procedure.type, c.procedure.path, c.input, ANSWER_BOUND_MS);
  if (!answer) return tally.hang(`ws ${describeCase(c)}`);
  tally.record('ws', answer.httpStatus || answer.code, answer.httpStatus ? answer.code : undefined);
  if (answer.httpStatus >= 500) tally.serverError(`ws ${answer.code}`, describeCase(c));
}
