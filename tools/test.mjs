// `npm test`: the same set-up as `npm start`, then static checks and the whole
// suite (unit + integration against real servers); ends with one summary line.
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, build, ensureDependencies, ensureNginx, run, stackUp, step } from './lib/setup.mjs';

/** Test files: workspace unit tests first, then the system tests under tests/. */
function collectTests() {
  const roots = ['packages', 'apps', 'examples'].flatMap((dir) =>
    readdirSync(path.join(ROOT, dir)).map((ws) => path.join(dir, ws, 'test')),
  );
  roots.push('tests/unit', 'tests/integration');
  const files = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(path.join(ROOT, dir));
    } catch {
      return;
    }
    for (const name of entries.sort()) {
      const rel = path.join(dir, name);
      if (statSync(path.join(ROOT, rel)).isDirectory()) walk(rel);
      else if (name.endsWith('.test.ts')) files.push(rel);
    }
  };
  roots.forEach(walk);
  return files;
}

/** Runs node with `args`, echoing its stdout; resolves with its exit code and that output. */
function runNode(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

async function runTests(files, env) {
  const { code, out } = await runNode(
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=1',
      '--test-timeout=180000',
      '--test-reporter=spec',
      ...files,
    ],
    env,
  );
  const count = (label) => Number(out.match(new RegExp(`ℹ ${label} (\\d+)`))?.[1] ?? 0);
  return {
    code,
    passed: count('pass'),
    failed: count('fail'),
    skipped: count('skipped') + count('todo'),
  };
}

/** tools/e2e.mjs against the stack that is already up; counts from its `e2e: …` line. */
async function runE2e(env) {
  const { code, out } = await runNode(['tools/e2e.mjs'], {
    ...env,
    E2E_SKIP_BUILD: '1',
    E2E_KEEP_STACK: '1',
  });
  const m = out.match(/^e2e: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/m);
  return {
    code,
    passed: Number(m?.[1] ?? 0),
    failed: Number(m?.[2] ?? 0),
    skipped: Number(m?.[3] ?? 0),
  };
}

async function main() {
  const failures = [];
  ensureDependencies();
  build();
  for (const [name, args] of [
    ['Typecheck (npm run typecheck)', ['run', 'typecheck', '--', '--output-logs=errors-only']],
    ['Lint (npm run lint)', ['run', 'lint']],
    ['Format (npm run format:check)', ['run', 'format:check', '--', '--log-level=warn']],
  ]) {
    step(name);
    try {
      run('npm', args);
    } catch (err) {
      failures.push(name);
      console.error(`✖ ${err.message}`);
    }
  }
  const { env: stackEnv, startedHere } = await stackUp();
  // The cluster tests run Debian's nginx; the deploy/ tests build or install their checkers
  // (kustomize, promtool, kubernetes-validate) here rather than inside a timed test.
  await ensureNginx().catch((err) => failures.push(`nginx: ${err.message}`));
  step('Building the deploy/ checkers (tools/deploy-tools.mjs)');
  try {
    run('node', ['tools/deploy-tools.mjs', 'all'], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    failures.push(`deploy tools: ${err.message}`);
  }

  // The file-store tests run moto (a real S3 server, PyPI) from a virtualenv in .stack/;
  // installed here, with its progress shown, rather than inside a timed test.
  step('Installing the S3 test server (moto, tools/s3-server.mjs)');
  try {
    run('node', ['tools/s3-server.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    failures.push(`S3 test server: ${err.message}`);
  }

  const files = collectTests();
  step(`Running ${files.length} test files (node --test)`);
  // Every service's whole output, for a failure that the in-test tail does not explain.
  const logDir = path.join(ROOT, '.test-logs');
  rmSync(logDir, { recursive: true, force: true });
  const result = await runTests(files, { ...stackEnv, TEST_LOG_DIR: logDir });
  if (result.code !== 0 && result.failed === 0)
    failures.push(`test runner exited with ${result.code}`);
  if (result.failed > 0) {
    failures.push(`${result.failed} failing tests`);
    console.log(`Service logs of the test systems: ${path.relative(process.cwd(), logDir)}/`);
  }

  step('Running the end-to-end suite (Playwright in Chromium)');
  const e2e = await runE2e(stackEnv);
  if (e2e.code !== 0 && e2e.failed === 0) failures.push(`e2e runner exited with ${e2e.code}`);
  if (e2e.failed > 0) failures.push(`${e2e.failed} failing e2e tests`);

  if (startedHere) {
    // Leave the machine as we found it: servers this run started are stopped again.
    step('Stopping the local stack');
    const { stackDown } = await import('./stack/lib.mjs');
    await stackDown().catch((err) => console.error(err.message));
  }

  console.log('');
  if (failures.length) console.log(`✖ Failed: ${failures.join('; ')}`);
  console.log(`e2e: ${e2e.passed} passed, ${e2e.failed} failed, ${e2e.skipped} skipped`);
  const total = (k) => result[k] + e2e[k];
  console.log(
    `tests: ${total('passed')} passed, ${total('failed')} failed, ${total('skipped')} skipped`,
  );
  process.exit(failures.length ? 1 : 0);
}

main().catch((err) => {
  console.error(`\n✖ npm test failed: ${err.message}`);
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
});
