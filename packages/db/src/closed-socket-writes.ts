import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

interface DriverConnection {
  socket: Socket;
  writeCommand: (this: DriverConnection, ...args: unknown[]) => Promise<void>;
}

const GUARDED = Symbol.for('chat.db.closedSocketWrites');

/**
 * The MongoDB driver (6.20, the one mongoose 8 pins) awaits the socket's `drain` when a write
 * returns false — also when the socket closed while the command was being serialized, and a
 * closed socket never drains: the command waits forever. When that command is the monitor's
 * heartbeat, the server stays Unknown with its pool paused, and every operation of the process
 * fails with a server selection error until it restarts (a 3 s network cut left a worker without
 * its store for good about once in ten cuts: tests/integration/store-reconnect.test.ts). This
 * makes such a write fail as a network error when its socket closes; the driver then does what it
 * does for any network error (marks the server unknown, reconnects, retries what it retries).
 */
export function failWritesOnClosedSockets(): void {
  // The driver mongoose itself loads (a copy of our own could differ).
  const load = createRequire(createRequire(import.meta.url).resolve('mongoose'));
  const { Connection } = load('mongodb/lib/cmap/connection.js') as {
    Connection: { prototype: DriverConnection & { [GUARDED]?: true } };
  };
  const { MongoNetworkError } = load('mongodb') as {
    MongoNetworkError: new (message: string) => Error;
  };
  const proto = Connection.prototype;
  if (proto[GUARDED] || typeof proto.writeCommand !== 'function') return;
  const write = proto.writeCommand;
  proto.writeCommand = function guardedWrite(this: DriverConnection, ...args: unknown[]) {
    const socket = this.socket;
    if (socket.destroyed)
      return Promise.reject(new MongoNetworkError('connection closed before the write'));
    let onClose!: () => void;
    const closed = new Promise<never>((_, reject) => {
      onClose = () => reject(new MongoNetworkError('connection closed during the write'));
      socket.once('close', onClose);
    });
    return Promise.race([write.apply(this, args), closed]).finally(() =>
      socket.removeListener('close', onClose),
    );
  };
  proto[GUARDED] = true;
}
