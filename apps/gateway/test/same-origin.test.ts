import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { requestOrigin } from '../src/http-headers.js';
import { createOriginPolicy } from '../src/origins.js';

function request(headers: IncomingMessage['headers'], encrypted = false) {
  return { headers, socket: encrypted ? { encrypted: true } : {} } as unknown as IncomingMessage;
}

describe('requestOrigin', () => {
  test('scheme of our socket and the Host header, as a browser writes an origin', () => {
    assert.equal(
      requestOrigin(request({ host: '127.0.0.1:4000' }), false),
      'http://127.0.0.1:4000',
    );
    assert.equal(
      requestOrigin(request({ host: 'LOCALHOST:4000' }), false),
      'http://localhost:4000',
    );
    assert.equal(
      requestOrigin(request({ host: 'chat.test:443' }, true), false),
      'https://chat.test',
    );
    assert.equal(requestOrigin(request({ host: '[::1]:4000' }), false), 'http://[::1]:4000');
  });

  test('X-Forwarded-Proto/-Host count only with TRUST_PROXY', () => {
    const proxied = request({
      host: 'gateway:4000',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'chat.example.test',
    });
    assert.equal(requestOrigin(proxied, true), 'https://chat.example.test');
    assert.equal(requestOrigin(proxied, false), 'http://gateway:4000');
    // nginx sends Host through and X-Forwarded-Proto: the origin is the public https one.
    const nginx = request({ host: 'chat.example.test', 'x-forwarded-proto': 'https, http' });
    assert.equal(requestOrigin(nginx, true), 'https://chat.example.test');
  });

  test('no Host, an unparseable Host or a strange scheme: no origin', () => {
    assert.equal(requestOrigin(request({}), false), null);
    assert.equal(requestOrigin(request({ host: 'a b' }), false), null);
    assert.equal(requestOrigin(request({ host: 'x', 'x-forwarded-proto': 'ftp' }), true), null);
  });
});

describe('same-origin WebSocket upgrades', () => {
  const policy = createOriginPolicy('http://localhost:4000', []);

  test('a page served at another address of this server may open its socket', () => {
    for (const own of ['http://127.0.0.1:4000', 'http://192.168.1.20:4000', 'http://chat.lan']) {
      assert.equal(policy.allows(own, own), true, own);
      assert.equal(policy.refusal(own, own), null);
    }
    assert.equal(policy.allows('HTTP://127.0.0.1:4000', 'http://127.0.0.1:4000'), true);
  });

  test('a foreign origin is still refused, with the reason', () => {
    for (const [origin, own] of [
      ['https://evil.example.test', 'http://127.0.0.1:4000'],
      ['http://127.0.0.1:4001', 'http://127.0.0.1:4000'],
      ['https://127.0.0.1:4000', 'http://127.0.0.1:4000'],
      ['null', 'http://127.0.0.1:4000'],
      ['http://127.0.0.1:4000', null],
    ] as const) {
      assert.equal(policy.allows(origin, own), false, `${origin} vs ${own}`);
      assert.match(policy.refusal(origin, own) ?? '', /neither this server's address/);
    }
  });
});
