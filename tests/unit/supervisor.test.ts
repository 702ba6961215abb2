// `npm start`'s supervisor (tools/lib/supervise.mjs) with real child processes: a crash is
// restarted with a growing backoff and said so; a crash loop stops everything.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../support/wait.js';

interface Supervisor {
  add(name: string, start: () => ChildProcess): void;
  handle(name: string): { readonly exitCode: number | null; readonly child: ChildProcess | null };
  restarts(name: string): number;
  stopAll(stop: (child: ChildProcess) => Promise<void>): Promise<void>;
}
interface SupervisorModule {
  createSupervisor: (options: {
    log?: (line: string) => void;
    onGiveUp: (name: string, reason: string) => void;
    baseDelayMs?: number;
    maxDelayMs?: number;
    maxCrashes?: number;
    windowMs?: number;
  }) => Supervisor;
}

// A plain .mjs (tools run before dependencies are installed): typed here by its use.
const modulePath = fileURLToPath(new URL('../../tools/lib/supervise.mjs', import.meta.url));
const { createSupervisor } = (await import(modulePath)) as SupervisorModule;

const dir = mkdtempSync(path.join(tmpdir(), 'supervisor-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const node = (code: string) => () => spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

test('a crashed service is restarted after a backoff, and the log says so', async () => {
  const lines: string[] = [];
  const gaveUp: string[] = [];
  const supervisor = createSupervisor({
    log: (l) => lines.push(l),
    onGiveUp: (name) => gaveUp.push(name),
    baseDelayMs: 50,
  });
  // Crashes on its first run only (a marker file remembers), then keeps running.
  const marker = path.join(dir, 'crashed-once');
  supervisor.add(
    'worker',
    node(
      `const fs=require('fs');if(!fs.existsSync(${JSON.stringify(marker)})){fs.writeFileSync(${JSON.stringify(marker)},'');process.exit(3)}setInterval(()=>{},1000)`,
    ),
  );
  await waitFor('the restart', () => supervisor.restarts('worker') === 1);
  const child = await waitFor(
    'the restarted child',
    () => supervisor.handle('worker').child ?? undefined,
  );
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(child.exitCode, null, 'the restarted service keeps running');
  assert.equal(supervisor.handle('worker').exitCode, null);
  assert.deepEqual(gaveUp, []);
  assert.match(lines[0] ?? '', /^✖ worker exited \(code 3\); restarting in 50 ms \(crash 1 of 5/);
  assert.ok(lines.includes('↻ restarting worker'), lines.join('\n'));

  await supervisor.stopAll(stop);
  assert.notEqual(child.exitCode ?? child.signalCode, null, 'stopAll stopped it');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(supervisor.restarts('worker'), 1, 'a service stopped on purpose is not restarted');
});

test('a crash loop: the backoff doubles, then the supervisor gives up', async () => {
  const lines: string[] = [];
  let gaveUp: { name: string; reason: string } | null = null;
  const supervisor = createSupervisor({
    log: (l) => lines.push(l),
    onGiveUp: (name, reason) => (gaveUp = { name, reason }),
    baseDelayMs: 40,
    maxCrashes: 4,
    windowMs: 60_000,
  });
  supervisor.add('gateway', node('process.exit(1)'));
  const result = await waitFor('the supervisor to give up', () => gaveUp ?? undefined);
  assert.equal(result.name, 'gateway');
  assert.match(result.reason, /gateway exited \(code 1\) 4 times within 60 s/);
  const delays = lines.map((l) => /restarting in (\d+) ms/.exec(l)?.[1]).filter(Boolean);
  assert.deepEqual(delays, ['40', '80', '160'], lines.join('\n'));
  assert.equal(supervisor.handle('gateway').exitCode, 1, 'waitReady sees it as exited');
  await supervisor.stopAll(stop);
});
