/**
 * What every benchmark run keeps (bench/main.ts, bench/files.ts): when it ran, on what
 * machine, notes and how it ended, written as JSON to `<--out>/<prefix><time>.json` once
 * everything else was cleaned up — also after a failure or Ctrl-C.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/stack-env.js';
import { cleanUpAll, onCleanup } from './cleanup.js';
import { describeMachine, type Machine } from './machine.js';

export interface RunRecord {
  startedAt: string;
  finishedAt?: string;
  machine: Machine;
  notes: string[];
  error?: string;
}

export function startRecord(): RunRecord {
  return { startedAt: new Date().toISOString(), machine: describeMachine(), notes: [] };
}

/** "2 CPUs (model), 7.8 GiB, load 0.5 0.4 0.3": the machine as a run starts. */
export function machineLine(m: Machine): string {
  return `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, load ${m.loadAverageAtStart.join(' ')}`;
}

/**
 * Runs `body`, then (after every other clean-up, registered later) stamps `finishedAt`, lets
 * `finish` add its last figures, writes the JSON and prints it with `print`. A failure is
 * kept in `error` (exit code 1), an interruption as "interrupted".
 */
export async function runKeepingRecord<R extends RunRecord>(
  record: R,
  how: {
    outDir: string;
    prefix: string;
    finish?: (record: R) => void;
    print: (record: R) => void;
  },
  body: () => Promise<void>,
): Promise<void> {
  // resolve: an absolute --out stays absolute, a relative one is under the repository.
  const outFile = path.resolve(
    ROOT,
    how.outDir,
    `${how.prefix}${record.startedAt.replace(/[:.]/g, '-')}.json`,
  );
  let completed = false;
  onCleanup('results', () => {
    if (!completed) record.error ??= 'interrupted';
    record.finishedAt = new Date().toISOString();
    how.finish?.(record);
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(record, null, 2)}\n`);
    console.log('\n══ Results ══════════════════════════════════════════════════════════════');
    if (record.error)
      console.log(
        `INCOMPLETE (${record.error.split('\n')[0]}): the figures below are what was measured.\n`,
      );
    how.print(record);
    console.log(`\nResults (JSON): ${path.relative(ROOT, outFile)}`);
  });
  try {
    await body();
  } catch (err) {
    record.error = (err as Error).stack ?? String(err);
    console.error(`\n✗ benchmark failed: ${(err as Error).message}`);
    process.exitCode = 1;
  } finally {
    completed = true;
    await cleanUpAll();
  }
}
