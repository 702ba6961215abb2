// Internal ports listen on loopback by default: a worker's health server (HEALTH_PORT) is
// not reachable from the network unless HEALTH_HOST says so.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { TestSystem } from '../support/system.js';

/** Local addresses (hex, as the kernel writes them) listening on `port`, from /proc/net/tcp{,6}. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // local_address is "ADDR:PORT"; state 0A is LISTEN.
      .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A')
      .map((cols) => cols[1]!.split(':')[0]!),
  );
}

const LOOPBACK = new Set([
  '0100007F', // 127.0.0.1
  '00000000000000000000000001000000', // ::1
]);

describe('worker health server', () => {
  let system: TestSystem;
  before(async () => {
    system = await TestSystem.start({ workers: ['auth'] });
  });
  after(() => system.stop());

  test('listens on loopback only by default', () => {
    const port = Number(new URL(system.readyUrl(system.worker('auth'))).port);
    const addresses = listeners(port);
    assert.ok(addresses.length > 0, `nothing listens on ${port}`);
    for (const address of addresses)
      assert.ok(LOOPBACK.has(address), `port ${port} listens on ${address}, not only loopback`);
  });
});
