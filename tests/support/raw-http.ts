import { connect } from 'node:net';

export interface RawAnswer {
  /** HTTP status of the first response line, or null when the server closed without one. */
  status: number | null;
  /** Whole response text seen (bounded). */
  text: string;
  /** True when nothing came back and the connection stayed open until the bound. */
  timedOut: boolean;
}

/**
 * Writes `chunks` to a fresh TCP connection (with `gapMs` between them, for slow clients)
 * and reads until the server closes or `timeoutMs` passes. Loopback only.
 */
export function rawExchange(
  port: number,
  chunks: Array<string | Buffer>,
  opts: { timeoutMs?: number; gapMs?: number; host?: string } = {},
): Promise<RawAnswer> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  return new Promise((resolve) => {
    const socket = connect({ port, host: opts.host ?? '127.0.0.1' });
    let text = '';
    let done = false;
    const finish = (timedOut: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/\d\.\d (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : null, text, timedOut: timedOut && !text });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      if (text.length < 64_000) text += chunk.toString('latin1');
      // One response is enough: don't wait for keep-alive connections to close.
      if (/\r\n\r\n/.test(text) && responseComplete(text)) finish(false);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('connect', () => {
      void (async () => {
        for (const chunk of chunks) {
          if (socket.destroyed) return;
          socket.write(chunk);
          if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
        }
      })();
    });
  });
}

/** Whether `text` holds a full response (by Content-Length, or a bodyless status). */
function responseComplete(text: string): boolean {
  const headEnd = text.indexOf('\r\n\r\n');
  const head = text.slice(0, headEnd);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) return text.length - headEnd - 4 >= Number(length[1]);
  if (/^HTTP\/\d\.\d (1\d\d|204|304)/.test(head)) return true;
  // Chunked: the terminating zero-length chunk.
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return text.endsWith('0\r\n\r\n');
  return false;
}

/** A request head in HTTP/1.1 form with the given extra header lines. */
export function request(
  method: string,
  path: string,
  headers: string[] = [],
  body: string | Buffer = '',
): Buffer {
  const length = Buffer.byteLength(body);
  const lines = [
    `${method} ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    ...(length || method === 'POST' ? [`Content-Length: ${length}`] : []),
    ...headers,
  ];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)]);
}
