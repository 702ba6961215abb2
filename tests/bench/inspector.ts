/**
 * Forces a full garbage collection in a Node process started with `--inspect` and reads its
 * JS heap, over the DevTools protocol: memory per connection is then what stays alive, not
 * whatever garbage the last allocations happened to leave behind.
 */
import WebSocket from 'ws';
import { withTimeout } from './async.js';

export interface HeapUsage {
  usedBytes: number;
  totalBytes: number;
}

export async function collectGarbage(inspectPort: number): Promise<HeapUsage> {
  const targets = (await (
    await fetch(`http://127.0.0.1:${inspectPort}/json/list`, {
      signal: AbortSignal.timeout(10_000),
    })
  ).json()) as Array<{ webSocketDebuggerUrl?: string }>;
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${inspectPort}`);
  const ws = new WebSocket(url);
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      }),
      10_000,
      'inspector connection',
    );
    let nextId = 1;
    const call = (method: string) =>
      withTimeout(
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const id = nextId++;
          const onMessage = (raw: Buffer) => {
            const msg = JSON.parse(raw.toString()) as {
              id?: number;
              result?: Record<string, unknown>;
              error?: { message: string };
            };
            if (msg.id !== id) return;
            ws.off('message', onMessage);
            if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
            else resolve(msg.result ?? {});
          };
          ws.on('message', onMessage);
          ws.send(JSON.stringify({ id, method }));
        }),
        60_000,
        method,
      );
    await call('HeapProfiler.collectGarbage');
    const usage = await call('Runtime.getHeapUsage');
    return { usedBytes: Number(usage.usedSize), totalBytes: Number(usage.totalSize) };
  } finally {
    ws.terminate();
  }
}
