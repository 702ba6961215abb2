/**
 * `npm run bench:files`: the attachments benchmark (issue 10). For each file store (GridFS on
 * the local stack, S3 on a moto server of its own) it starts an isolated system, then through
 * the gateway's public HTTP API: uploads a random file one at a time, downloads it by its signed
 * URL, reads a range from its middle; then, on a fresh gateway, samples that gateway's RSS while
 * N users upload a file each at once, and while N download at once. Figures only: it asserts
 * nothing about speed; it fails only when a transfer fails or gives back other bytes.
 * Results also go to bench-results/files-<time>.json.
 */
import os from 'node:os';
import { DEFAULT_FILE_MAX_BYTES } from '@chat/api';
import { directPair } from '../support/direct-chat.js';
import { freePort } from '../support/process.js';
import { stackEnv } from '../support/stack-env.js';
import { TestSystem } from '../support/system.js';
import { cleanUpOnSignals, onCleanup } from './cleanup.js';
import { machineLine, runKeepingRecord, startRecord } from './run-record.js';
import { parseFilesOptions, type FilesBenchOptions } from './files/options.js';
import { filesTable, type DriverResult, type FilesBenchResults } from './files/report.js';
import {
  downloadWhole,
  measureConcurrent,
  measureSequential,
  middleRange,
  uploadOne,
  type Uploader,
} from './files/steps.js';
import { DRIVER_LABEL, openStorage, type Driver } from './files/storage.js';
import { mibPerSecond } from './files/transfer.js';
import { pickRedisDb } from './targets.js';

const log = (line: string) => console.log(line);
const heading = (text: string) => console.log(`\n▶ ${text}`);

/** The system's settings for the benchmark only; the product's defaults stay as they are. */
function benchEnv(options: FilesBenchOptions): Record<string, string> {
  return {
    LOG_LEVEL: 'warn',
    BCRYPT_COST: '4',
    // Every user uploads more than the product's 20 a minute over the whole run.
    RATE_UPLOAD_PER_USER: '1000000',
    ACCESS_TOKEN_TTL_S: '86400',
    ...(options.size > DEFAULT_FILE_MAX_BYTES ? { FILE_MAX_BYTES: String(options.size) } : {}),
  };
}

async function main(): Promise<void> {
  const options = parseFilesOptions(process.argv.slice(2));
  cleanUpOnSignals();
  const results: FilesBenchResults = { ...startRecord(), options, drivers: [] };
  console.log(
    `Attachments benchmark: ${options.drivers.join(', ')}; ${machineLine(results.machine)}`,
  );
  await runKeepingRecord(
    results,
    {
      outDir: options.outDir,
      prefix: 'files-',
      finish: (r) => {
        r.loadAverageAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
      },
      print: printResults,
    },
    async () => {
      for (const driver of options.drivers) {
        const result: DriverResult = { driver };
        results.drivers.push(result);
        await benchDriver(driver, options, result, results.notes);
      }
    },
  );
}

async function benchDriver(
  driver: Driver,
  options: FilesBenchOptions,
  result: DriverResult,
  notes: string[],
): Promise<void> {
  heading(`${DRIVER_LABEL[driver]}: starting the store and an isolated system`);
  const storage = await openStorage(driver);
  const stopStorage = onCleanup(`${driver} storage`, () => storage.stop());
  const env = { ...benchEnv(options), ...storage.env };
  const system = await TestSystem.start({
    env,
    redisDb: await pickRedisDb(stackEnv().REDIS_URL),
  });
  const stopSystem = onCleanup(`${driver} system`, () => system.stop());
  if (notes.length === 0)
    notes.push(
      `System env for the bench: ${Object.entries(benchEnv(options))
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );

  const pairs = await Promise.all(
    Array.from({ length: Math.ceil(options.users / 2) }, () => directPair(system)),
  );
  const uploaders: Uploader[] = pairs
    .flatMap(({ a, b, conversation }) => [
      { user: a, conversationId: conversation.id },
      { user: b, conversationId: conversation.id },
    ])
    .slice(0, options.users);
  log(`  ${uploaders.length} users in ${pairs.length} direct conversations`);
  const range = middleRange(options.size, options.rangeBytes);

  heading(`${DRIVER_LABEL[driver]}: one file at a time through ${system.url}`);
  result.sequential = await measureSequential({
    baseUrl: system.url,
    by: uploaders[0]!,
    size: options.size,
    runs: options.runs,
    range,
    log,
  });

  heading(
    `${DRIVER_LABEL[driver]}: ${options.users} users at once through a fresh gateway, its RSS sampled every 50 ms`,
  );
  // A fresh gateway: its memory holds nothing but this step. The inspector port lets the
  // step force a full garbage collection before the idle reading.
  const inspectPort = await freePort();
  const fresh = await system.startGateway({
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:${inspectPort}`.trim(),
  });
  const pid = fresh.gateway.pid!;
  // Warm: the upload, download and storage paths have run once (modules loaded, code compiled).
  const warm = await uploadOne(fresh.url, uploaders[0]!, options.size, range);
  await downloadWhole(fresh.url, warm);
  log(`  fresh gateway (pid ${pid}) at ${fresh.url}, warmed up with one upload and download`);

  const uploads = await measureConcurrent({
    pid,
    inspectPort,
    transfers: () => uploaders.map((by) => uploadOne(fresh.url, by, options.size, range)),
  });
  result.uploads = uploads.result;
  log(`  ${describeConcurrent('uploads', uploads.result, options)}`);
  for (const [i, u] of uploads.values.entries())
    log(`    user ${i + 1}: ${(u.ms / 1000).toFixed(1)} s (${mibPerSecond(u).toFixed(1)} MiB/s)`);

  const downloads = await measureConcurrent({
    pid,
    inspectPort,
    transfers: () => uploads.values.map((file) => downloadWhole(fresh.url, file)),
  });
  result.downloads = downloads.result;
  log(`  ${describeConcurrent('downloads', downloads.result, options)}, bytes verified`);

  heading(`${DRIVER_LABEL[driver]}: stopping`);
  stopSystem();
  await system.stop();
  stopStorage();
  await storage.stop();
}

function describeConcurrent(
  what: string,
  c: NonNullable<DriverResult['uploads']>,
  options: FilesBenchOptions,
): string {
  return (
    `${c.transfers} ${what} in ${c.seconds.toFixed(1)} s (${c.aggregateMibPerSecond.toFixed(1)} MiB/s together); ` +
    `gateway RSS idle ${c.idle.medianMib.toFixed(1)} MiB, peak ${c.during.peakMib.toFixed(1)} MiB ` +
    `(+${c.growthMib.toFixed(1)} MiB; limit ${options.rssLimitMib}); ${c.during.samples} samples, ` +
    `longest gap ${c.during.maxGapMs.toFixed(0)} ms`
  );
}

function printResults(results: FilesBenchResults): void {
  console.log(filesTable(results));
  const m = results.machine;
  console.log(
    `\n${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.kernel}, Node ${m.node}; ` +
      `load average ${m.loadAverageAtStart.join(' ')} at the start, ${results.loadAverageAtEnd?.join(' ') ?? '?'} at the end; ` +
      `commit ${m.commit}${m.uncommittedChanges ? ' (+ uncommitted changes)' : ''}`,
  );
  for (const note of results.notes) console.log(`Note: ${note}`);
}

await main();
