import WebSocket from 'ws';

export interface WsAnswer {
  /** 'OK', a tRPC error code, or `close <code>` when the socket closed instead of answering. */
  code: string;
  httpStatus: number;
}

interface Pending {
  resolve: (answer: WsAnswer) => void;
  timer: NodeJS.Timeout;
}

/**
 * A raw tRPC WebSocket connection: sends hand-made JSON-RPC text (so inputs can be anything)
 * and matches answers to requests by id. Subscriptions are stopped as soon as they start.
 * Use one call at a time per connection, so an answer to an unparseable message (id null)
 * can be matched too.
 */
export class WsConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.onMessage(data.toString()));
    socket.on('close', (code) => {
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.resolve({ code: `close ${code}`, httpStatus: 0 });
      }
    });
  }

  static open(baseUrl: string, token: string | null): Promise<WsConnection> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/trpc?connectionParams=1`;
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => {
        socket.removeListener('error', reject);
        socket.on('error', () => undefined); // surfaces as 'close'
        socket.send(JSON.stringify({ method: 'connectionParams', data: token ? { token } : {} }));
        resolve(new WsConnection(socket));
      });
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends one call whose `input` is the given JSON text (or absent); resolves with its answer. */
  call(
    method: 'query' | 'mutation' | 'subscription',
    path: string,
    inputText: string | null,
    timeoutMs: number,
  ): Promise<WsAnswer | null> {
    const id = this.nextId++;
    const input = inputText === null ? '' : `,"input":${inputText}`;
    const text = `{"id":${id},"method":"${method}","params":{"path":${JSON.stringify(path)}${input}}}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(null);
      }, timeoutMs);
      this.pending.set(id, { resolve, timer });
      this.socket.send(text, (err) => {
        if (err) this.settle(id, { code: 'send failed', httpStatus: 0 });
      });
    });
  }

  close(): void {
    this.socket.close();
  }

  private settle(id: number, answer: WsAnswer): void {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    p.resolve(answer);
  }

  private onMessage(text: string): void {
    if (text === 'PING') {
      this.socket.send('PONG');
      return;
    }
    let msg: {
      id?: unknown;
      error?: { data?: { code?: string; httpStatus?: number } };
      result?: { type?: string };
    };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.id === null && msg.error && this.pending.size === 1) {
      // An unparseable message can't be answered by id; with one call in flight it is that one.
      msg.id = this.pending.keys().next().value;
    }
    if (typeof msg.id !== 'number') return;
    if (msg.error) {
      this.settle(msg.id, {
        code: msg.error.data?.code ?? 'UNKNOWN',
        httpStatus: msg.error.data?.httpStatus ?? 0,
      });
    } else if (msg.result) {
      if (msg.result.type === 'started')
        this.socket.send(JSON.stringify({ id: msg.id, method: 'subscription.stop' }));
      this.settle(msg.id, { code: 'OK', httpStatus: 200 });
    }
  }
}
