import WebSocket from 'ws';
import { closeCodes } from '@chat/api';
import { backoffMs } from './client-errors.js';

/** A stream item: `id` is the tracked event id, null for live-only events (typing, presence). */
export interface FeedItem {
  id: string | null;
  event: { type: string; message?: { id: string; conversationId: string } };
}

export interface EventFeedOptions {
  /** Gateway base URL (http://…). */
  url: string;
  /** A current access token (the SDK client refreshes it). */
  token: () => Promise<string | null>;
  /** Called when the server refused the token: refresh it. */
  refresh: () => Promise<unknown>;
  onItem: (item: FeedItem) => void;
  /** Error answers and failed connections, as codes (`NETWORK`, `UNAUTHORIZED`, …). */
  onError: (code: string) => void;
  /** Connection events, for the run's feed log. */
  onTrace: (line: string) => void;
}

const SUBSCRIPTION_ID = 1;
/** Without any frame for this long the socket is probed with PING; no answer → reconnect. */
const IDLE_MS = 10_000;
const PONG_WAIT_MS = 5_000;

/**
 * One user's `events.stream` over tRPC's WebSocket protocol, by hand: the suite must know the
 * exact `lastEventId` it resumes with (tRPC's client forgets it after an untracked event), and
 * see every frame. Reconnects on any drop with the last tracked id it received; `goOffline`
 * closes it until `goOnline`.
 */
export class EventFeed {
  private socket: WebSocket | null = null;
  private wanted = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  /** The id of the last tracked event received: what a reconnect resumes after. */
  lastEventId: string | undefined;
  /** True between the server's `started` and the socket closing. */
  live = false;
  reconnects = 0;
  private readonly closing = new WeakSet<WebSocket>();

  constructor(private readonly options: EventFeedOptions) {}

  goOnline(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.attempt = 0;
    void this.connect();
  }

  /** Closes the socket and stays away until goOnline (keeps lastEventId). */
  goOffline(): void {
    if (this.wanted) this.options.onTrace('offline');
    this.wanted = false;
    this.live = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.clearTimers();
    this.socket?.terminate();
    this.socket = null;
  }

  private async connect(): Promise<void> {
    if (!this.wanted) return;
    const token = await this.options.token().catch(() => null);
    if (!this.wanted) return;
    const url = `${this.options.url.replace(/^http/, 'ws').replace(/\/+$/, '')}/trpc?connectionParams=1`;
    const socket = new WebSocket(url);
    this.socket = socket;
    let opened = false;
    socket.on('open', () => {
      opened = true;
      socket.send(JSON.stringify({ method: 'connectionParams', data: { token: token ?? '' } }));
      const input = this.lastEventId ? { lastEventId: this.lastEventId } : undefined;
      this.options.onTrace(`subscribe lastEventId=${this.lastEventId ?? '-'}`);
      socket.send(
        JSON.stringify({
          id: SUBSCRIPTION_ID,
          method: 'subscription',
          params: { path: 'events.stream', input },
        }),
      );
      this.touch(socket);
    });
    socket.on('message', (data: WebSocket.RawData) =>
      this.onFrame(
        socket,
        Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'),
      ),
    );
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', (code) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.live = false;
      this.clearTimers();
      this.options.onTrace(`closed ${code}${opened ? '' : ' (never opened)'}`);
      if (!this.wanted) return;
      if (!opened) this.options.onError('NETWORK');
      else if (!this.closing.has(socket)) this.options.onError(`CLOSED_${code}`);
      if (code === closeCodes.TOKEN_EXPIRED) void this.options.refresh().catch(() => undefined);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (!this.wanted || this.reconnectTimer) return;
    const delay = backoffMs(this.attempt++, 3_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.reconnects++;
      void this.connect();
    }, delay);
  }

  private onFrame(socket: WebSocket, text: string): void {
    this.touch(socket);
    if (text === 'PING') return socket.send('PONG');
    if (text === 'PONG') return;
    let frame: {
      id?: unknown;
      method?: string;
      result?: { type?: string; id?: unknown; data?: unknown };
      error?: { data?: { code?: unknown } };
    };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      this.options.onError('MALFORMED_FRAME');
      return;
    }
    if (frame.method === 'reconnect') {
      this.options.onTrace('reconnect requested');
      return this.close(socket); // the gateway is going away
    }
    if (frame.error) {
      const code = typeof frame.error.data?.code === 'string' ? frame.error.data.code : 'UNKNOWN';
      this.options.onTrace(`error ${code}`);
      this.options.onError(code);
      if (code === 'UNAUTHORIZED') void this.options.refresh().catch(() => undefined);
      this.close(socket); // the subscription ended: start again with the last id
      return;
    }
    const result = frame.result;
    if (!result) return;
    if (result.type !== 'data') this.options.onTrace(result.type ?? '?');
    if (result.type === 'started') {
      this.live = true;
      this.attempt = 0;
    } else if (result.type === 'stopped') {
      this.close(socket);
    } else if (result.type === 'data') {
      if (typeof result.id === 'string') {
        const wrapped = result.data as { data: FeedItem['event'] };
        this.lastEventId = result.id;
        this.options.onItem({ id: result.id, event: wrapped.data });
      } else {
        this.options.onItem({ id: null, event: result.data as FeedItem['event'] });
      }
    }
  }

  /** Any frame proves the socket alive; silence gets a PING, and no answer a reconnect. */
  private touch(socket: WebSocket): void {
    this.clearTimers();
    this.idleTimer = setTimeout(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send('PING');
      this.pongTimer = setTimeout(() => {
        this.options.onError('NO_PONG');
        this.close(socket);
      }, PONG_WAIT_MS);
    }, IDLE_MS);
  }

  /** Closes a socket on our side; its reconnect is not counted as a drop. */
  private close(socket: WebSocket): void {
    this.closing.add(socket);
    socket.terminate();
  }

  private clearTimers(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.idleTimer = this.pongTimer = null;
  }
}
