/**
 * A light client of tRPC's WebSocket protocol (v11, no transformer), for thousands of
 * sockets in one process: `connectionParams` with the access token, one `events.stream`
 * subscription that resumes with `lastEventId`, and mutations over the same socket.
 * Speaks only the public wire protocol (docs/api.md "Transport"), so it works against any
 * implementation of the API, and against the bench's bare relay.
 */
import WebSocket from 'ws';

export interface StreamEvent {
  type: string;
  [key: string]: unknown;
}

export type MutationResult =
  | { ok: true; data: unknown }
  /** `code`: the tRPC error code, or CLIENT_TIMEOUT / SOCKET_CLOSED / NOT_CONNECTED. */
  | { ok: false; code: string; message: string };

export interface TrpcSocketOptions {
  /** Base URL of the server (`http://127.0.0.1:4000`); `/trpc` is appended. */
  url: string;
  token: string;
  onEvent?: (event: StreamEvent, eventId: string | null) => void;
  /** After an unexpected close or a stream error: reconnect / resubscribe with lastEventId. */
  autoReconnect?: boolean;
  /** Something went wrong that the owner may want to count: `closed:1006`, `stream:CODE`. */
  onTrouble?: (what: string) => void;
}

interface Pending {
  resolve: (result: MutationResult) => void;
  timer: NodeJS.Timeout;
}

interface WireMessage {
  id?: number | string | null;
  result?: { type?: string; id?: string; data?: unknown };
  error?: { message?: string; data?: { code?: string } };
}

const STREAM_PATH = 'events.stream';

export class TrpcSocket {
  /** Id of the last tracked event received: sent back when (re)subscribing. */
  lastEventId: string | null = null;
  /** The server answered `started` for the current subscription. */
  subscribed = false;
  /** Unexpected closes and stream errors seen (each followed by a resume when autoReconnect). */
  interruptions = 0;
  private ws: WebSocket | null = null;
  private nextId = 1;
  private streamId: number | null = null;
  private readonly pending = new Map<number, Pending>();
  private closedByUs = false;
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: TrpcSocketOptions) {}

  get open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket and subscribes; resolves once the server answered `started`. */
  async connect(timeoutMs = 30_000): Promise<void> {
    this.closedByUs = false;
    const started = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.openSocket();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        started,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`events.stream not started after ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      this.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a mutation over this socket; never rejects (failures are results). */
  mutate(path: string, input: unknown, timeoutMs = 30_000): Promise<MutationResult> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN)
      return Promise.resolve({ ok: false, code: 'NOT_CONNECTED', message: 'socket not open' });
    const id = this.nextId++;
    return new Promise<MutationResult>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, code: 'CLIENT_TIMEOUT', message: `no answer in ${timeoutMs} ms` });
      }, timeoutMs);
      this.pending.set(id, { resolve, timer });
      ws.send(JSON.stringify({ id, method: 'mutation', params: { path, input } }));
    });
  }

  /** Drops the connection abruptly (no close handshake), as a network failure would. */
  drop(): void {
    this.closedByUs = true;
    this.clearRetry();
    this.ws?.terminate();
  }

  /** Closes for good: no reconnect. */
  close(): void {
    this.closedByUs = true;
    this.clearRetry();
    const ws = this.ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private openSocket(): void {
    const base = this.options.url.replace(/^http/, 'ws').replace(/\/+$/, '');
    const ws = new WebSocket(`${base}/trpc?connectionParams=1`, {
      perMessageDeflate: false,
      handshakeTimeout: 30_000,
    });
    this.ws = ws;
    this.subscribed = false;
    ws.on('open', () => {
      ws.send(JSON.stringify({ method: 'connectionParams', data: { token: this.options.token } }));
      this.subscribe();
    });
    ws.on('message', (raw: Buffer, isBinary: boolean) => this.onMessage(ws, raw, isBinary));
    ws.on('error', () => undefined); // 'close' follows and handles it
    ws.on('close', (code: number) => this.onClose(ws, code));
  }

  private subscribe(): void {
    const id = this.nextId++;
    this.streamId = id;
    this.ws?.send(
      JSON.stringify({
        id,
        method: 'subscription',
        params: {
          path: STREAM_PATH,
          input: undefined,
          ...(this.lastEventId !== null ? { lastEventId: this.lastEventId } : {}),
        },
      }),
    );
  }

  private onMessage(ws: WebSocket, raw: Buffer, isBinary: boolean): void {
    if (!isBinary && raw.length === 4) {
      const text = raw.toString();
      if (text === 'PING') return void ws.send('PONG');
      if (text === 'PONG') return;
    }
    let msg: WireMessage;
    try {
      msg = JSON.parse(raw.toString()) as WireMessage;
    } catch {
      this.options.onTrouble?.('malformed-frame');
      return;
    }
    if (typeof msg.id === 'number' && msg.id === this.streamId) return this.onStream(msg);
    if (typeof msg.id === 'number') {
      const pending = this.pending.get(msg.id);
      if (!pending) return;
      this.pending.delete(msg.id);
      clearTimeout(pending.timer);
      pending.resolve(
        msg.error
          ? { ok: false, code: msg.error.data?.code ?? 'UNKNOWN', message: msg.error.message ?? '' }
          : { ok: true, data: msg.result?.data },
      );
      return;
    }
    if (msg.error) this.options.onTrouble?.(`connection:${msg.error.data?.code ?? 'UNKNOWN'}`);
  }

  private onStream(msg: WireMessage): void {
    const result = msg.result;
    if (msg.error) {
      const code = msg.error.data?.code ?? 'UNKNOWN';
      this.subscribed = false;
      this.interruptions++;
      this.options.onTrouble?.(`stream:${code}`);
      this.failWaiters(new Error(`events.stream failed: ${code}: ${msg.error.message ?? ''}`));
      // A stream that fell behind or hit a transient error resumes; a refused token does not.
      if (this.options.autoReconnect && code !== 'UNAUTHORIZED' && code !== 'FORBIDDEN')
        this.retry(() => this.subscribe());
      return;
    }
    if (result?.type === 'started') {
      this.subscribed = true;
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((w) => w.resolve());
      return;
    }
    if (result?.type === 'stopped') {
      this.subscribed = false;
      if (this.options.autoReconnect && !this.closedByUs) this.retry(() => this.subscribe());
      return;
    }
    if (result?.type !== 'data') return;
    // Tracked events arrive as { id, data: { id, data: event } }; untracked as { data: event }.
    if (typeof result.id === 'string') {
      this.lastEventId = result.id;
      const envelope = result.data as { data?: StreamEvent } | undefined;
      if (envelope?.data) this.options.onEvent?.(envelope.data, result.id);
    } else if (result.data && typeof result.data === 'object') {
      this.options.onEvent?.(result.data as StreamEvent, null);
    }
  }

  private onClose(ws: WebSocket, code: number): void {
    if (this.ws !== ws) return;
    this.subscribed = false;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ ok: false, code: 'SOCKET_CLOSED', message: `socket closed (${code})` });
      this.pending.delete(id);
    }
    this.failWaiters(new Error(`socket closed (${code}) before events.stream started`));
    if (this.closedByUs) return;
    this.interruptions++;
    this.options.onTrouble?.(`closed:${code}`);
    if (this.options.autoReconnect) this.retry(() => this.openSocket());
  }

  private failWaiters(err: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w.reject(err));
  }

  private retry(action: () => void): void {
    this.clearRetry();
    const delay = Math.min(5_000, 250 * 2 ** Math.min(this.interruptions, 5));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closedByUs) action();
    }, delay);
  }
}
