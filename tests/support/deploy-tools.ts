import { spawnSync } from 'node:child_process';
import { ROOT } from './stack-env.js';

export type DeployTool = 'kustomize' | 'promtool' | 'promql-names' | 'kubernetes-validate';

/**
 * The path of a checker of deploy/ (tools/deploy-tools.mjs builds or installs it into .stack/
 * when missing). Throws with the reason when it can't be had: these tests never skip.
 */
export function deployTool(name: DeployTool): string {
  const res = spawnSync(process.execPath, ['tools/deploy-tools.mjs', name], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30 * 60_000,
  });
  const path = res.stdout?.trim().split('\n').at(-1);
  if (res.status !== 0 || !path)
    throw new Error(
      `${name} is needed to check deploy/ and could not be built or installed ` +
        `(node tools/deploy-tools.mjs ${name}):\n${res.stderr ?? ''}${res.error?.message ?? ''}`,
    );
  return path;
}

/** Runs a tool; resolves with its exit status and output. */
export function runTool(
  path: string,
  args: string[],
  input?: string,
): { status: number | null; out: string; stdout: string } {
  const res = spawnSync(path, args, { cwd: ROOT, encoding: 'utf8', input, timeout: 120_000 });
  return {
    status: res.status,
    stdout: res.stdout ?? '',
    out: `${res.stdout ?? ''}${res.stderr ?? ''}${res.error?.message ?? ''}`,
  };
}
