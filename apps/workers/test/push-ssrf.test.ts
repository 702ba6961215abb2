import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkPushEndpoint,
  UnsafeEndpointError,
  type Resolver,
} from '../src/notification/push/ssrf.js';

/** A resolver answering from a table, counting its calls (no real DNS). */
function fakeResolver(table: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = (host: string) => {
    calls.push(host);
    const addresses = table[host];
    if (!addresses) return Promise.reject(new Error(`ENOTFOUND ${host}`));
    return Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return Object.assign(resolve, { calls });
}

const resolve = fakeResolver({
  'push.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'internal.example.com': ['10.0.0.7'],
  'mixed.example.com': ['93.184.216.34', '192.168.0.10'],
  'metadata.example.com': ['169.254.169.254'],
  localhost: ['127.0.0.1', '::1'],
});
const production = { production: true, resolve };
const development = { production: false, resolve };

const refused = (endpoint: string, policy: typeof production, reason: RegExp) =>
  assert.rejects(checkPushEndpoint(endpoint, policy), (err: unknown) => {
    assert.ok(err instanceof UnsafeEndpointError, String(err));
    assert.match(err.message, reason);
    return true;
  });

describe('push endpoint SSRF guard', () => {
  test('a public host passes, with every address it resolves to (the first is pinned)', async () => {
    const checked = await checkPushEndpoint('https://push.example.com/wpush/v2/abc', production);
    assert.equal(checked.url.hostname, 'push.example.com');
    assert.deepEqual(
      checked.addresses.map((a) => a.address),
      ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    );
    await checkPushEndpoint('https://8.8.8.8:8443/p', production);
    await checkPushEndpoint('https://[2606:4700::1111]/p', production);
  });

  test('only https, without credentials', async () => {
    await refused('http://push.example.com/p', production, /https/);
    await refused('http://push.example.com/p', development, /https/);
    await refused('https://user:pw@push.example.com/p', production, /credentials/);
    await refused('not a url', production, /not a URL/);
  });

  for (const [endpoint, reason] of [
    ['https://127.0.0.1/p', /loopback/],
    ['https://127.8.9.10:4433/p', /loopback/],
    ['https://[::1]/p', /loopback/],
    ['https://[::ffff:127.0.0.1]/p', /loopback/],
    ['https://10.1.2.3/p', /private/],
    ['https://172.20.0.1/p', /private/],
    ['https://192.168.1.1/p', /private/],
    ['https://169.254.169.254/latest/meta-data', /link-local/],
    ['https://[fe80::1]/p', /link-local/],
    ['https://100.64.0.1/p', /CGNAT/],
    ['https://[fd00::1]/p', /unique local/],
    ['https://[::ffff:10.0.0.1]/p', /private/],
    ['https://0.0.0.0/p', /unspecified/],
    ['https://[::]/p', /unspecified/],
    ['https://224.0.0.1/p', /multicast/],
    ['https://[ff02::1]/p', /multicast/],
    ['https://internal.example.com/p', /private.*internal\.example\.com resolves to 10\.0\.0\.7/],
    ['https://metadata.example.com/p', /link-local/],
    ['https://mixed.example.com/p', /private/],
    ['https://localhost:8443/p', /loopback/],
  ] as const) {
    test(`production refuses ${endpoint}`, () => refused(endpoint, production, reason));
  }

  test('outside production loopback is allowed (local push endpoints), private is not', async () => {
    await checkPushEndpoint('https://127.0.0.1:4433/p', development);
    await checkPushEndpoint('https://[::1]:4433/p', development);
    await checkPushEndpoint('https://[::ffff:127.0.0.1]/p', development);
    await checkPushEndpoint('https://localhost:4433/p', development);
    await refused('https://10.1.2.3/p', development, /private/);
    await refused('https://internal.example.com/p', development, /private/);
    await refused('https://169.254.169.254/p', development, /link-local/);
  });

  test('a host that does not resolve is refused', async () => {
    await refused('https://nowhere.example.com/p', production, /does not resolve/);
  });

  test('IP literals are judged without a DNS lookup', async () => {
    const before = resolve.calls.length;
    await checkPushEndpoint('https://8.8.4.4/p', production);
    await refused('https://10.9.9.9/p', production, /private/);
    assert.equal(resolve.calls.length, before);
  });
});
