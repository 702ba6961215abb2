/**
 * The two measurements of the attachments benchmark: one file at a time (upload, full
 * download, range read: throughput and latency), and many users at once with the gateway's
 * resident memory sampled throughout (peak against the idle level after a full GC).
 */
import { sleep } from '../async.js';
import { collectGarbage } from '../inspector.js';
import type { TestUser } from '../../support/system.js';
import { RandomBody, type ByteRange } from './random-body.js';
import { RssSampler, type RssSummary } from './rss-sampler.js';
import { download, mibPerSecond, upload, type Timed, type Uploaded } from './transfer.js';

const MiB = 2 ** 20;
const fmtMib = (bytes: number) => `${+(bytes / MiB).toFixed(1)} MiB`;

export interface Uploader {
  user: TestUser;
  conversationId: string;
}

export interface TransferSample {
  ms: number;
  mibPerSecond: number;
}

export interface SequentialResult {
  uploads: TransferSample[];
  downloads: TransferSample[];
  /** Request → last byte of the range. */
  ranges: TransferSample[];
}

/** The range read of every file: `rangeBytes` from the middle. */
export const middleRange = (size: number, rangeBytes: number): ByteRange => {
  const start = Math.floor((size - rangeBytes) / 2);
  return { start, end: start + rangeBytes - 1 };
};

const tokenOf = (u: TestUser) => {
  const token = u.client.session?.accessToken;
  if (!token) throw new Error(`${u.username} has no session`);
  return token;
};

const sample = (t: Timed): TransferSample => ({ ms: t.ms, mibPerSecond: mibPerSecond(t) });

export function uploadOne(baseUrl: string, by: Uploader, size: number, range: ByteRange) {
  return upload(baseUrl, tokenOf(by.user), by.conversationId, new RandomBody(size, range));
}

export const downloadWhole = (baseUrl: string, file: Uploaded) =>
  download(baseUrl, file.attachment.url, { bytes: file.bytes, sha256: file.sha256.whole });

export const downloadRange = (baseUrl: string, file: Uploaded, range: ByteRange) =>
  download(
    baseUrl,
    file.attachment.url,
    { bytes: range.end - range.start + 1, sha256: file.sha256.range! },
    range,
  );

/**
 * One warm-up round (not counted), then `runs` uploads one after another, a full download
 * of each through its signed URL, and a range read of each.
 */
export async function measureSequential(options: {
  baseUrl: string;
  by: Uploader;
  size: number;
  runs: number;
  range: ByteRange;
  log: (line: string) => void;
}): Promise<SequentialResult> {
  const { baseUrl, by, size, runs, range, log } = options;
  const warm = await uploadOne(baseUrl, by, size, range);
  await downloadWhole(baseUrl, warm);
  await downloadRange(baseUrl, warm, range);
  log(`  warm-up: one upload, download and range read done`);

  const result: SequentialResult = { uploads: [], downloads: [], ranges: [] };
  const files: Uploaded[] = [];
  for (let i = 0; i < runs; i++) {
    const up = await uploadOne(baseUrl, by, size, range);
    files.push(up);
    result.uploads.push(sample(up));
    log(
      `  upload ${i + 1}/${runs}: ${fmtMib(size)} in ${(up.ms / 1000).toFixed(2)} s = ${mibPerSecond(up).toFixed(1)} MiB/s`,
    );
  }
  for (const [i, file] of files.entries()) {
    const down = await downloadWhole(baseUrl, file);
    result.downloads.push(sample(down));
    log(
      `  download ${i + 1}/${runs}: ${(down.ms / 1000).toFixed(2)} s = ${mibPerSecond(down).toFixed(1)} MiB/s ` +
        `(first byte after ${down.firstByteMs.toFixed(0)} ms), bytes verified`,
    );
  }
  for (const [i, file] of files.entries()) {
    const part = await downloadRange(baseUrl, file, range);
    result.ranges.push(sample(part));
    log(
      `  range read ${i + 1}/${runs}: ${fmtMib(part.bytes)} from the middle in ${part.ms.toFixed(0)} ms`,
    );
  }
  return result;
}

export interface ConcurrentResult {
  transfers: number;
  bytesEach: number;
  /** First request → last answer. */
  seconds: number;
  aggregateMibPerSecond: number;
  slowestMs: number;
  fastestMs: number;
  /** After a full GC and a quiet pause. */
  idle: RssSummary;
  /** JS heap in use right after that GC. */
  heapAfterGcMib: number;
  during: RssSummary;
  /** Peak during − idle median. */
  growthMib: number;
}

/**
 * Forces a full GC in the gateway, lets it sit for `quietMs`, reads its idle RSS for
 * `idleMs`, then runs `transfers` (all started at once) while sampling its RSS every 50 ms.
 */
export async function measureConcurrent<T extends Timed>(options: {
  pid: number;
  inspectPort: number;
  transfers: () => Array<Promise<T>>;
  quietMs?: number;
  idleMs?: number;
}): Promise<{ result: ConcurrentResult; values: T[] }> {
  const { pid, inspectPort, quietMs = 2_000, idleMs = 3_000 } = options;
  const heap = await collectGarbage(inspectPort);
  await sleep(quietMs);
  const idleSampler = await RssSampler.start(pid);
  await sleep(idleMs);
  const idle = await idleSampler.stop();

  const sampler = await RssSampler.start(pid);
  const started = performance.now();
  let values: T[];
  let during: RssSummary;
  try {
    values = await Promise.all(options.transfers());
  } finally {
    // Stopped on failure too: the worker would keep the process alive.
    during = await sampler.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const bytes = values.reduce((s, v) => s + v.bytes, 0);
  return {
    values,
    result: {
      transfers: values.length,
      bytesEach: values[0]?.bytes ?? 0,
      seconds,
      aggregateMibPerSecond: bytes / MiB / seconds,
      slowestMs: Math.max(...values.map((v) => v.ms)),
      fastestMs: Math.min(...values.map((v) => v.ms)),
      idle,
      heapAfterGcMib: heap.usedBytes / MiB,
      during,
      growthMib: during.peakMib - idle.medianMib,
    },
  };
}
