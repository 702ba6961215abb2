#!/usr/bin/env node
// CLI: node tools/stack/stack.mjs up|down|status|rabbitmq <stop|start>|crash <server>|stop <server>
import path from 'node:path';
import { rabbitmq, serverFault, stackDown, stackStatus, stackUp, StackError } from './lib.mjs';
import { DATA_SHOWN, ROOT, tail } from './util.mjs';

const USAGE =
  'usage: node tools/stack/stack.mjs up | down | status | rabbitmq <stop|start> | crash <server> | stop <server>\n' +
  '  server: redis | rabbitmq | ferretdb | postgres | mongod';

async function printStatus() {
  const rows = (await stackStatus()).map((r) => [r.part, r.source, r.url, r.up ? 'up' : 'down']);
  const table = [['PART', 'SOURCE', 'URL', 'STATE'], ...rows];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const row of table)
    console.log(
      row
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
  return rows.every((r) => r[3] === 'up') ? 0 : 3;
}

async function main([cmd, arg]) {
  const started = Date.now();
  switch (cmd) {
    case 'up':
      await stackUp();
      console.log(
        `[stack] ready in ${((Date.now() - started) / 1000).toFixed(1)}s (URLs in ${DATA_SHOWN}/env)`,
      );
      return 0;
    case 'down':
      await stackDown();
      return 0;
    case 'status':
      return printStatus();
    case 'rabbitmq':
      await rabbitmq(arg);
      return 0;
    case 'crash':
    case 'stop':
      await serverFault(cmd, arg);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

/** One line of cause, then the tail of each relevant log. */
function report(err) {
  if (!(err instanceof StackError)) {
    console.error('[stack] error:', err);
    return;
  }
  console.error(`[stack] error: ${err.message}`);
  for (const file of err.logFiles) {
    const lines = tail(file, 20);
    if (!lines) continue;
    console.error(`[stack] last lines of ${path.relative(ROOT, file)}:`);
    console.error(lines);
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err) => {
    report(err);
    process.exitCode = 1;
  },
);
