// The checkers of deploy/: kustomize and promtool built from the Go module proxy (pinned in
// tools/kustomize and tools/promtool, like tools/ferretdb), and kubernetes-validate from PyPI
// (it ships the Kubernetes OpenAPI schemas, so validation needs no cluster and no network).
// Everything lands in .stack/ and is reused while its pins don't change.
//
//   node tools/deploy-tools.mjs <kustomize|promtool|promql-names|kubernetes-validate|all>
//
// prints the path of each ready binary (building or installing it first); exits non-zero
// with the reason when it can't.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, '.stack', 'bin');
const VENV = path.join(ROOT, '.stack', 'deploy-venv');
const KUBERNETES_VALIDATE = 'kubernetes-validate==1.37.0';

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

function fail(message) {
  console.error(`deploy-tools: ${message}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', ...opts });
  if (res.error) return { ok: false, out: res.error.message };
  return { ok: res.status === 0, out: `${res.stdout ?? ''}${res.stderr ?? ''}` };
}

function goBinary() {
  for (const candidate of ['go', '/usr/local/go/bin/go'])
    if (run(candidate, ['version']).ok) return candidate;
  return fail('Go is needed to build the deploy checkers (kustomize, promtool); install Go.');
}

/** Builds .stack/bin/<name> from package `pkg` of the Go module in tools/<dir>. */
function goBuild(name, dir, pkg) {
  const module = path.join(ROOT, 'tools', dir);
  const out = path.join(BIN, name);
  const sources = ['go.mod', 'go.sum', 'tools.go', path.join(pkg, 'main.go')];
  const newest = Math.max(...sources.map((f) => mtime(path.join(module, f))));
  if (mtime(out) >= newest) return out;
  mkdirSync(BIN, { recursive: true });
  console.error(`deploy-tools: building ${name} with go build (a few minutes the first time) ...`);
  const res = run(goBinary(), ['build', '-buildvcs=false', '-o', out, pkg], {
    cwd: module,
    timeout: 30 * 60_000,
  });
  if (!res.ok) fail(`building ${name} failed:\n${res.out.slice(-4000)}`);
  return out;
}

/** kubernetes-validate in a virtualenv of its own (.stack/deploy-venv). */
function kubernetesValidate() {
  const exe = path.join(VENV, 'bin', 'kubernetes-validate');
  const marker = path.join(VENV, '.installed');
  if (existsSync(exe) && existsSync(marker) && readFileSync(marker, 'utf8') === KUBERNETES_VALIDATE)
    return exe;
  const python = ['python3', 'python'].find((p) => run(p, ['--version']).ok);
  if (!python) fail('Python 3 is needed to install kubernetes-validate (pip).');
  console.error(`deploy-tools: installing ${KUBERNETES_VALIDATE} into .stack/deploy-venv ...`);
  const venv = run(python, ['-m', 'venv', '--clear', VENV]);
  if (!venv.ok)
    fail(
      `python3 -m venv failed (Debian: apt-get install python3-venv):\n${venv.out.slice(-2000)}`,
    );
  const pip = run(
    path.join(VENV, 'bin', 'python'),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', KUBERNETES_VALIDATE],
    { timeout: 10 * 60_000 },
  );
  if (!pip.ok || !existsSync(exe))
    fail(`pip install ${KUBERNETES_VALIDATE} failed:\n${pip.out.slice(-4000)}`);
  writeFileSync(marker, KUBERNETES_VALIDATE);
  return exe;
}

const TOOLS = {
  kustomize: () => goBuild('kustomize', 'kustomize', 'sigs.k8s.io/kustomize/kustomize/v5'),
  promtool: () => goBuild('promtool', 'promtool', 'github.com/prometheus/prometheus/cmd/promtool'),
  'promql-names': () => goBuild('promql-names', 'promtool', './promql-names'),
  'kubernetes-validate': kubernetesValidate,
};

const wanted = process.argv.slice(2);
if (wanted.length === 0 || wanted.some((w) => w !== 'all' && !TOOLS[w]))
  fail(`usage: node tools/deploy-tools.mjs <${[...Object.keys(TOOLS), 'all'].join('|')}>...`);
const names = wanted.includes('all') ? Object.keys(TOOLS) : wanted;
for (const name of names) console.log(TOOLS[name]());
