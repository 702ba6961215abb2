/**
 * Talks to a Node process started with `--inspect`, over the DevTools protocol: forces a full
 * garbage collection and reads its JS heap (memory per connection is then what stays alive,
 * not whatever garbage the last allocations happened to leave behind), or writes a heap
 * snapshot to look at what each connection keeps.
 */
import { createWriteStream } from 'node:fs';
import WebSocket from 'ws';
import { withTimeout } from './async.js';

export interface HeapUsage {
  usedBytes: number;
  totalBytes: number;
}

export async function collectGarbage(inspectPort: number): Promise<HeapUsage> {
  return withInspector(inspectPort, async (call) => {
    await call('HeapProfiler.collectGarbage');
    const usage = await call('Runtime.getHeapUsage');
    return { usedBytes: Number(usage.usedSize), totalBytes: Number(usage.totalSize) };
  });
}

/** Writes a heap snapshot (Chrome DevTools' format; taking one collects garbage first). */
export async function writeHeapSnapshot(inspectPort: number, path: string): Promise<void> {
  const out = createWriteStream(path);
  await withInspector(
    inspectPort,
    (call) => call('HeapProfiler.takeHeapSnapshot', { reportProgress: false }),
    (method, params) => {
      if (method === 'HeapProfiler.addHeapSnapshotChunk') out.write(String(params.chunk));
    },
  );
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

type Call = (method: string, params?: object) => Promise<Record<string, unknown>>;

async function withInspector<T>(
  inspectPort: number,
  use: (call: Call) => Promise<T>,
  onEvent?: (method: string, params: Record<string, unknown>) => void,
): Promise<T> {
  const targets = (await (
    await fetch(`http://127.0.0.1:${inspectPort}/json/list`, {
      signal: AbortSignal.timeout(10_000),
    })
  ).json()) as Array<{ webSocketDebuggerUrl?: string }>;
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${inspectPort}`);
  const ws = new WebSocket(url, { maxPayload: 2 ** 30 });
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
    const pending = new Map<
      number,
      { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void; method: string }
    >();
    ws.on('message', (raw: Buffer) => {
      const msg = JSON.parse(raw.toString()) as {
        id?: number;
        method?: string;
        params?: Record<string, unknown>;
        result?: Record<string, unknown>;
        error?: { message: string };
      };
      if (msg.id === undefined) {
        if (msg.method) onEvent?.(msg.method, msg.params ?? {});
        return;
      }
      const waiting = pending.get(msg.id);
      if (!waiting) return;
      pending.delete(msg.id);
      if (msg.error) waiting.reject(new Error(`${waiting.method}: ${msg.error.message}`));
      else waiting.resolve(msg.result ?? {});
    });
    const call: Call = (method, params) =>
      withTimeout(
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const id = nextId++;
          pending.set(id, { resolve, reject, method });
          ws.send(JSON.stringify({ id, method, params }));
        }),
        120_000,
        method,
      );
    return await use(call);
  } finally {
    ws.terminate();
  }
}
