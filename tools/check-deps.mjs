#!/usr/bin/env node
// Every package a workspace imports must be declared in its own package.json: turbo orders
// builds by those declarations, and a workspace installed alone needs them. Run by `npm run lint`.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const SKIP_DIRS = new Set(['node_modules', 'dist', '.turbo', 'test-results', 'playwright-report']);
const SOURCE = /\.(?:[cm]?[jt]sx?)$/;
// Static imports and re-exports, side-effect imports, dynamic imports, require, and
// triple-slash type references.
const SPECIFIERS = [
  /^\s*(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"\n]+)['"]/gm,
  /^\s*import\s*['"]([^'"\n]+)['"]/gm,
  /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g,
  /\brequire\(\s*['"]([^'"\n]+)['"]\s*\)/g,
  /^\/\/\/\s*<reference\s+types=['"]([^'"]+)['"]/gm,
];
const builtins = new Set(builtinModules);

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; null for relative, node: and builtins. */
function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtins.has(name) ? null : name;
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.'))
        yield* sourceFiles(path.join(dir, entry.name));
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      yield path.join(dir, entry.name);
    }
  }
}

/** The workspaces of the root package.json (`apps/*`, `packages/*`, `tests`). */
function workspaces() {
  const { workspaces: globs } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return globs.flatMap((glob) =>
    glob.endsWith('/*')
      ? readdirSync(path.join(ROOT, glob.slice(0, -2)))
          .map((name) => path.join(glob.slice(0, -2), name))
          .filter((dir) => existsSync(path.join(ROOT, dir, 'package.json')))
      : [glob],
  );
}

function declared(pkg) {
  return new Set(
    ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap((k) =>
      Object.keys(pkg[k] ?? {}),
    ),
  );
}

const root = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
// Tools every workspace runs from the root (compiler, linter, test loader, Node's types).
const sharedTools = declared(root);
const problems = [];
const checks = [
  ...workspaces().map((dir) => ({ dir, own: true })),
  { dir: 'tools', own: false, pkgDir: '.' },
];
for (const { dir, own, pkgDir = dir } of checks) {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, pkgDir, 'package.json'), 'utf8'));
  const allowed = declared(pkg);
  if (own) allowed.add(pkg.name);
  const missing = new Map();
  for (const file of sourceFiles(path.join(ROOT, dir))) {
    if (!statSync(file).isFile()) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of SPECIFIERS.flatMap((re) => [...text.matchAll(re)])) {
      const name = packageOf(m[1]);
      if (!name || allowed.has(name) || sharedTools.has(name) || (!own && name === root.name))
        continue;
      if (!missing.has(name)) missing.set(name, path.relative(ROOT, file));
    }
  }
  for (const [name, file] of missing)
    problems.push(`${pkgDir}/package.json: "${name}" is imported (${file}) but not declared`);
}

if (problems.length > 0) {
  console.error(`✖ undeclared dependencies:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`dependencies: every import of ${checks.length} workspaces is declared`);
