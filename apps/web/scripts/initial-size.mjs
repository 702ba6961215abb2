// Prints the initial JavaScript a first visit downloads (entry script + modulepreloads),
// gzip-compressed, against the 150 KB budget. A figure for humans, not a test.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const files = [
  ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+\.js)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
].map((m) => m[1]);
let total = 0;
for (const file of new Set(files)) {
  const bytes = gzipSync(readFileSync(path.join(dist, file))).length;
  total += bytes;
  console.log(`  ${file}  ${(bytes / 1024).toFixed(1)} KB gzip`);
}
const kb = total / 1024;
console.log(
  `initial JS: ${kb.toFixed(1)} KB gzip (budget 150 KB)${kb > 150 ? '  ⚠ over budget' : ''}`,
);
