// The S3-protocol server the tests store files in: moto (PyPI) in server mode, a real HTTP
// server speaking S3 (multipart uploads, ranges, conditional writes), never a mock in the
// test process. Installed into a virtualenv of its own, .stack/moto-venv, and reused while
// its pin doesn't change; tests/support/s3-server.ts starts one per test file.
//
//   node tools/s3-server.mjs
//
// prints progress on stderr and, last on stdout, the path of `moto_server` (installing it
// first); exits non-zero with the reason when it can't.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VENV = path.join(ROOT, '.stack', 'moto-venv');
const MOTO = 'moto[s3,server]==5.2.5';

const say = (msg) => console.error(`s3-server: ${msg}`);

function fail(message) {
  say(message);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', ...opts });
  if (res.error) return { ok: false, out: res.error.message };
  return { ok: res.status === 0, out: `${res.stdout ?? ''}${res.stderr ?? ''}` };
}

async function motoServer() {
  const exe = path.join(VENV, 'bin', 'moto_server');
  const marker = path.join(VENV, '.installed');
  if (existsSync(exe) && existsSync(marker) && readFileSync(marker, 'utf8') === MOTO) return exe;

  const python = ['python3', 'python'].find((p) => run(p, ['--version']).ok);
  if (!python) fail('Python 3 is needed to install moto, the S3 server of the tests (pip).');
  say(`creating the virtualenv .stack/moto-venv (${python} -m venv) ...`);
  let venv = run(python, ['-m', 'venv', '--clear', VENV]);
  if (!venv.ok && process.getuid?.() === 0) {
    // Debian splits venv (and ensurepip) into python3-venv; as root we can add it.
    say('python3 -m venv failed; installing python3-venv with apt-get ...');
    const { aptInstall } = await import('./stack/packages.mjs');
    await aptInstall(['python3-venv']);
    venv = run(python, ['-m', 'venv', '--clear', VENV]);
  }
  if (!venv.ok)
    fail(
      `python3 -m venv failed (Debian: apt-get install python3-venv):\n${venv.out.slice(-2000)}`,
    );
  say(`installing ${MOTO} with pip (about half a minute) ...`);
  const pip = run(
    path.join(VENV, 'bin', 'python'),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', MOTO],
    { timeout: 10 * 60_000 },
  );
  if (!pip.ok || !existsSync(exe)) fail(`pip install ${MOTO} failed:\n${pip.out.slice(-4000)}`);
  writeFileSync(marker, MOTO);
  say('moto installed');
  return exe;
}

console.log(await motoServer());
