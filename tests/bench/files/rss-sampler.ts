/**
 * Samples a process's resident memory (VmRSS of /proc/<pid>/status) every `everyMs` until
 * stopped: its peak, median and the longest gap between two readings. The readings run in a
 * worker thread, so a benchmark's own busy event loop can't delay them (a gap says how much a
 * short peak could still have been missed on a loaded machine).
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { percentile } from '../stats.js';

export interface RssSummary {
  samples: number;
  peakMib: number;
  medianMib: number;
  maxGapMs: number;
}

export function summarizeRss(kib: readonly number[], gapsMs: readonly number[]): RssSummary {
  if (kib.length === 0) throw new Error('no RSS reading: is the process still running?');
  const sorted = [...kib].sort((a, b) => a - b);
  return {
    samples: kib.length,
    peakMib: sorted.at(-1)! / 1024,
    medianMib: percentile(sorted, 50)! / 1024,
    maxGapMs: gapsMs.length ? Math.max(...gapsMs) : 0,
  };
}

// Plain CommonJS for an `eval` worker: parseRssKib's rule (proc.ts), inlined.
const SAMPLER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { pid, everyMs } = workerData;
const kib = [];
const gaps = [];
let last = 0;
function read() {
  const now = performance.now();
  if (last) gaps.push(now - last);
  last = now;
  try {
    const m = readFileSync('/proc/' + pid + '/status', 'utf8').match(/^VmRSS:\\s+(\\d+)\\s+kB/m);
    if (m) kib.push(Number(m[1]));
  } catch {}
}
read();
const timer = setInterval(read, everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  read();
  parentPort.postMessage({ kib, gaps });
});
`;

export class RssSampler {
  private constructor(private readonly worker: Worker) {}

  /** Resolves once the sampler runs (its first reading is taken as it starts). */
  static async start(pid: number, everyMs = 50): Promise<RssSampler> {
    const worker = new Worker(SAMPLER, { eval: true, workerData: { pid, everyMs } });
    await once(worker, 'online');
    return new RssSampler(worker);
  }

  async stop(): Promise<RssSummary> {
    const answer = once(this.worker, 'message') as Promise<[{ kib: number[]; gaps: number[] }]>;
    this.worker.postMessage('stop');
    const [{ kib, gaps }] = await answer;
    await this.worker.terminate();
    return summarizeRss(kib, gaps);
  }
}
