// Installs missing Debian packages for the local servers (root only).
import fs from 'node:fs';
import { StackError, isRoot, log, runOk } from './util.mjs';

const POLICY_RC = '/usr/sbin/policy-rc.d';

/** Installs the given apt packages; one `apt-get update` first. Throws a clear error when not root. */
export async function aptInstall(pkgs) {
  if (!pkgs.length) return;
  if (!isRoot()) {
    throw new StackError(
      `missing ${pkgs.join(', ')}: install with \`sudo apt-get install -y ${pkgs.join(' ')}\`, or set MONGO_URL / REDIS_URL / AMQP_URL to existing servers`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // policy-rc.d exit 101 stops the packages from auto-starting system instances on our ports.
  const addedPolicy = !fs.existsSync(POLICY_RC);
  if (addedPolicy) fs.writeFileSync(POLICY_RC, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    log('apt-get update ...');
    await runOk('apt-get update', 'apt-get', ['update'], { env, timeoutMs: 5 * 60_000 });
    for (const pkg of pkgs) {
      log(`installing ${pkg} with apt-get ...`);
      await runOk(`apt-get install ${pkg}`, 'apt-get', ['install', '-y', pkg], {
        env,
        timeoutMs: 10 * 60_000,
      });
    }
  } finally {
    if (addedPolicy) fs.rmSync(POLICY_RC, { force: true });
  }
}
