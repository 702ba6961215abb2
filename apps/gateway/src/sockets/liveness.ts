import type { WebSocket } from 'ws';

/**
 * Finds dead WebSockets with one timer for all of them (tRPC's own keep-alive keeps two
 * timers and four closures per socket, ≈ 0.8 KiB, and replaces a timer on every message).
 * Any message proves a socket alive. One that stays silent for `pingAfterMs` gets the tRPC
 * `PING` text (clients answer `PONG`); still silent `pongWaitMs` later, it is terminated.
 */
export class SocketLiveness {
  /** Sockets heard from since the last sweep. */
  private readonly heard = new Set<WebSocket>();
  /** Sweeps in a row each silent socket has stayed silent. */
  private readonly silentSweeps = new Map<WebSocket, number>();
  private readonly sweepsBeforePing: number;
  private readonly sweepsBeforeTermination: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sockets: ReadonlySet<WebSocket>,
    { pingAfterMs, pongWaitMs }: { pingAfterMs: number; pongWaitMs: number },
  ) {
    // Sweeping every pongWaitMs: a socket is pinged after pingAfterMs (rounded up to sweeps)
    // and terminated one sweep after its ping.
    this.sweepsBeforePing = Math.max(1, Math.ceil(pingAfterMs / pongWaitMs));
    this.sweepsBeforeTermination = this.sweepsBeforePing + 1;
    this.timer = setInterval(() => this.sweep(), pongWaitMs);
    this.timer.unref();
  }

  /** Starts watching a socket (its first message or the next sweep counts from now). */
  watch(socket: WebSocket): void {
    socket.on('message', this.onMessage);
  }

  forget(socket: WebSocket): void {
    this.heard.delete(socket);
    this.silentSweeps.delete(socket);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  // One listener shared by every socket (the emitter is `this`): no closure per socket.
  private readonly onMessage = (() => {
    const heard = this.heard;
    return function (this: WebSocket) {
      heard.add(this);
    };
  })();

  private sweep(): void {
    for (const socket of this.sockets) {
      if (this.heard.has(socket)) {
        this.silentSweeps.delete(socket);
        continue;
      }
      const silent = (this.silentSweeps.get(socket) ?? 0) + 1;
      this.silentSweeps.set(socket, silent);
      if (silent >= this.sweepsBeforeTermination) socket.terminate();
      else if (silent === this.sweepsBeforePing && socket.readyState === socket.OPEN)
        socket.send('PING');
    }
    this.heard.clear();
  }
}
