import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { ApiContext, AppRouter } from '@chat/api';
import type { Encoder } from '@trpc/server/adapters/ws';
import {
  callProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isTrackedEnvelope,
  parseConnectionParamsFromUnknown,
  parseTRPCMessage,
  transformTRPCResponse,
  TRPCError,
  type ProcedureType,
  type TRPCRequestMessage,
  type TRPCResponseMessage,
} from '@trpc/server/unstable-core-do-not-import';

export interface SocketContextOptions {
  /** The upgrade request (see upgrade-request.ts: only what calls read). */
  req: IncomingMessage;
  socket: WebSocket;
  /** What the client sent as `connectionParams` (null when it was not asked to). */
  connectionParams: Partial<Record<string, string>> | null;
}

export interface SocketErrorInfo {
  error: TRPCError;
  path: string | undefined;
  type: ProcedureType | 'unknown';
  ctx: ApiContext | undefined;
  input: unknown;
}

export interface TrpcSocketsOptions {
  wss: WebSocketServer;
  router: AppRouter;
  encoder: Encoder;
  createContext: (opts: SocketContextOptions) => Promise<ApiContext>;
  onError?: (info: SocketErrorInfo) => void;
}

type RequestId = TRPCRequestMessage['id'];
type Answer = TRPCResponseMessage;
type CtxResult = { ok: true; value: ApiContext } | { ok: false; error: TRPCError };
type Call = Pick<SocketErrorInfo, 'path' | 'type' | 'input'>;
/** An error of the connection, not of one call. */
const NO_CALL: Call = { path: undefined, type: 'unknown', input: undefined };

/**
 * tRPC's WebSocket protocol (v11: `connectionParams`, batches, `subscription.stop`, tracked
 * items, `PING`/`PONG`, the reconnect notification), served the way tRPC's own ws adapter
 * serves it and answering the same frames, with less kept per socket and per item:
 *
 * - a subscription is pulled by promise callbacks, not an async function parked at an
 *   `await` with a race against an abort promise (tRPC's keeps two suspended frames, two
 *   AbortControllers and a race per socket, ≈ 3 KiB of an idle connection, and allocates a
 *   race for every item it sends);
 * - a subscription ends through its iterator's `return()` (on `subscription.stop` or the
 *   socket's close), never an AbortSignal: no procedure of this router reads `signal`, so
 *   none is passed;
 * - the router has no transformer (the wire contract is plain JSON): a stream item is handed
 *   to the encoder as tRPC builds it, without the copy its transform step makes.
 */
export function serveTrpcSockets(options: TrpcSocketsOptions): {
  broadcastReconnectNotification: () => void;
} {
  const config = options.router._def._config;
  const probe = {};
  if (config.transformer.output.serialize(probe) !== probe)
    throw new Error('serveTrpcSockets: the router must not have a transformer');
  options.wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    new SocketConnection(options, socket, req);
  });
  return {
    broadcastReconnectNotification() {
      const frame = options.encoder.encode({ id: null, method: 'reconnect' });
      for (const client of options.wss.clients) if (client.readyState === OPEN) client.send(frame);
    },
  };
}

const OPEN = 1;

class SocketConnection {
  private ctx: ApiContext | undefined = undefined;
  /** Null until the client's `connectionParams` message arrived, when it was asked for one. */
  private ctxPromise: Promise<CtxResult> | null = null;
  private subscriptions: Map<RequestId, Subscription> | null = null;

  constructor(
    private readonly options: TrpcSocketsOptions,
    readonly socket: WebSocket,
    private readonly req: IncomingMessage,
  ) {
    socket.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    socket.on('close', () => this.onClose());
    // ws closes the socket after an error (a bad frame, a reset); unheard, it would crash us.
    socket.on('error', (cause: Error) =>
      options.onError?.({ error: getTRPCErrorFromUnknown(cause), ...NO_CALL, ctx: this.ctx }),
    );
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.searchParams.get('connectionParams') !== '1') this.ctxPromise = this.createCtx(null);
  }

  respond(answer: Answer): void {
    this.socket.send(this.options.encoder.encode(transformTRPCResponse(this.config, answer)));
  }

  /** A stream item: the router has no transformer, so the item goes to the encoder as is. */
  respondItem(answer: Answer): void {
    this.socket.send(this.options.encoder.encode(answer));
  }

  respondError(id: RequestId | null, jsonrpc: '2.0' | undefined, cause: unknown, call: Call): void {
    const error = getTRPCErrorFromUnknown(cause);
    this.options.onError?.({ error, ...call, ctx: this.ctx });
    this.respond({
      id,
      jsonrpc,
      error: getErrorShape({ config: this.config, error, ...call, ctx: this.ctx }),
    });
  }

  forget(id: RequestId, subscription: Subscription): void {
    if (this.subscriptions?.get(id) === subscription) this.subscriptions.delete(id);
  }

  get config() {
    return this.options.router._def._config;
  }

  get isOpen(): boolean {
    return this.socket.readyState === OPEN;
  }

  private async createCtx(
    getParams: (() => Partial<Record<string, string>> | null) | null,
  ): Promise<CtxResult> {
    try {
      const connectionParams = getParams ? getParams() : null;
      this.ctx = await this.options.createContext({
        req: this.req,
        socket: this.socket,
        connectionParams,
      });
      return { ok: true, value: this.ctx };
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      this.respondError(null, undefined, error, NO_CALL);
      // After the error frame is on its way.
      setImmediate(() => this.socket.close());
      return { ok: false, error };
    }
  }

  private onMessage(raw: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      const text = raw.toString();
      if (text === 'PONG') return;
      if (text === 'PING') return this.socket.send('PONG');
    }
    const data = isBinary ? raw : raw.toString('utf8');
    if (!this.ctxPromise) {
      this.ctxPromise = this.createCtx(() => {
        let message: unknown;
        try {
          message = this.options.encoder.decode(data);
          if (!isObject(message)) throw new Error('Message was not an object');
        } catch (cause) {
          throw new TRPCError({
            code: 'PARSE_ERROR',
            message: 'Malformed TRPCConnectionParamsMessage',
            cause,
          });
        }
        return parseConnectionParamsFromUnknown(message.data);
      });
      return;
    }
    let messages: ReturnType<typeof parseTRPCMessage>[];
    try {
      const decoded: unknown = this.options.encoder.decode(data);
      messages = (Array.isArray(decoded) ? decoded : [decoded]).map((m) =>
        parseTRPCMessage(m, this.config.transformer),
      );
    } catch (cause) {
      const error = new TRPCError({ code: 'PARSE_ERROR', cause });
      return this.respondError(null, undefined, error, NO_CALL);
    }
    messages.forEach((message, index) => this.handle(message, index));
  }

  private handle(message: ReturnType<typeof parseTRPCMessage>, batchIndex: number): void {
    const { id, jsonrpc } = message;
    if (id === null) {
      const error = new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' });
      return this.respondError(id, jsonrpc, error, NO_CALL);
    }
    if (message.method === 'subscription.stop') {
      this.subscriptions?.get(id)?.stop();
      return;
    }
    const { path, lastEventId } = message.params;
    let input: unknown = message.params.input;
    if (lastEventId !== undefined)
      input = isObject(input) ? { ...input, lastEventId } : (input ?? { lastEventId });
    const type = message.method;
    this.call(id, jsonrpc, type, path, input, batchIndex).catch((cause: unknown) =>
      this.respondError(id, jsonrpc, cause, { path, type, input }),
    );
  }

  private async call(
    id: RequestId,
    jsonrpc: '2.0' | undefined,
    type: ProcedureType,
    path: string,
    input: unknown,
    batchIndex: number,
  ): Promise<void> {
    const ctx = await this.ctxPromise!;
    if (!ctx.ok) throw ctx.error;
    const result: unknown = await callProcedure({
      router: this.options.router,
      path,
      getRawInput: () => Promise.resolve(input),
      ctx: ctx.value,
      type,
      signal: undefined,
      batchIndex,
    });
    if (type !== 'subscription') {
      if (isAsyncIterable(result))
        throw new TRPCError({
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: `Cannot return an async iterable or observable from a ${type} procedure with WebSockets`,
        });
      this.respond({ id, jsonrpc, result: { type: 'data', data: result } });
      return;
    }
    if (!isAsyncIterable(result))
      throw new TRPCError({
        code: 'INTERNAL_SERVER_ERROR',
        message: `Subscription ${path} did not return an AsyncIterable`,
      });
    const iterator = result[Symbol.asyncIterator]();
    // Nobody will read it: its socket closed meanwhile, or the id is taken.
    if (!this.isOpen) return void endQuietly(iterator);
    this.subscriptions ??= new Map();
    if (this.subscriptions.has(id)) {
      endQuietly(iterator);
      throw new TRPCError({ code: 'BAD_REQUEST', message: `Duplicate id ${id}` });
    }
    const subscription = new Subscription(this, id, jsonrpc, path, input, iterator);
    this.subscriptions.set(id, subscription);
    this.respond({ id, jsonrpc, result: { type: 'started' } });
    subscription.pull();
  }

  private onClose(): void {
    const subscriptions = this.subscriptions;
    this.subscriptions = null;
    if (subscriptions) for (const subscription of subscriptions.values()) subscription.stop();
  }
}

/** One running subscription: pulls its iterator one item at a time, sends what it yields. */
class Subscription {
  private ended = false;

  constructor(
    private readonly connection: SocketConnection,
    private readonly id: RequestId,
    private readonly jsonrpc: '2.0' | undefined,
    private readonly path: string,
    private readonly input: unknown,
    private readonly iterator: AsyncIterator<unknown>,
  ) {}

  pull(): void {
    let next: Promise<IteratorResult<unknown>>;
    try {
      next = this.iterator.next();
    } catch (err) {
      return this.fail(err);
    }
    next.then(this.onItem, this.onFailure);
  }

  /** `subscription.stop` or the socket closed: the iterator ends and the client hears `stopped`. */
  stop(): void {
    if (this.ended) return;
    endQuietly(this.iterator);
    this.finish();
  }

  private readonly onItem = (item: IteratorResult<unknown>): void => {
    if (this.ended) return;
    if (item.done) return this.finish();
    const value = item.value;
    const result = isTrackedEnvelope(value)
      ? { type: 'data' as const, data: { id: value[0], data: value[1] }, id: value[0] }
      : { type: 'data' as const, data: value };
    try {
      this.connection.respondItem({ id: this.id, jsonrpc: this.jsonrpc, result });
    } catch (err) {
      // An item the encoder can't write (a BigInt, a cycle) ends the subscription with an
      // error instead of rejecting a promise nobody awaits.
      return this.fail(err);
    }
    this.pull();
  };

  private readonly onFailure = (err: unknown): void => this.fail(err);

  private fail(err: unknown): void {
    if (this.ended) return;
    endQuietly(this.iterator);
    this.connection.respondError(this.id, this.jsonrpc, err, {
      path: this.path,
      type: 'subscription',
      input: this.input,
    });
    this.finish();
  }

  private finish(): void {
    this.ended = true;
    if (this.connection.isOpen)
      this.connection.respond({ id: this.id, jsonrpc: this.jsonrpc, result: { type: 'stopped' } });
    this.connection.forget(this.id, this);
  }
}

function endQuietly(iterator: AsyncIterator<unknown>): void {
  try {
    iterator.return?.().catch(() => undefined);
  } catch {
    // An iterator whose return() throws is ended as far as we are concerned.
  }
}
