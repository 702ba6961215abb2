import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { bearerToken, clientIp, requestIdFrom } from '../src/http-headers.js';
import { createOriginPolicy } from '../src/origins.js';

/** Just enough of an IncomingMessage for the header helpers. */
function request(
  headers: IncomingMessage['headers'] = {},
  socket: { remoteAddress?: string } = { remoteAddress: '10.0.0.5' },
) {
  return { headers, socket } as unknown as IncomingMessage;
}

describe('createOriginPolicy', () => {
  const policy = createOriginPolicy('https://chat.example.test', [
    'http://localhost:5173',
    'https://admin.example.test/',
  ]);

  test("the app's own origin is allowed", () => {
    assert.equal(policy.allows('https://chat.example.test'), true);
    assert.equal(policy.isListed('https://chat.example.test'), true);
  });

  test('listed origins are allowed (normalised through URL)', () => {
    assert.equal(policy.allows('http://localhost:5173'), true);
    assert.equal(
      policy.allows('https://admin.example.test'),
      true,
      'a trailing slash in the config is ignored',
    );
  });

  test('unlisted origins are refused', () => {
    for (const origin of [
      'https://evil.example.test',
      'http://chat.example.test',
      'https://chat.example.test:8443',
      'https://chat.example.test.evil.test',
      'http://localhost:5174',
      'null',
      '',
    ]) {
      assert.equal(policy.allows(origin), false, origin);
      assert.equal(policy.isListed(origin), false, origin);
    }
  });

  test('a missing Origin (not a browser) is allowed but not listed', () => {
    assert.equal(policy.allows(undefined), true);
    assert.equal(policy.isListed(undefined), false, 'no CORS headers for it');
  });

  test('the own origin counts with a path in PUBLIC_URL', () => {
    const p = createOriginPolicy('http://127.0.0.1:4000/app/', []);
    assert.equal(p.allows('http://127.0.0.1:4000'), true);
    assert.equal(p.allows('http://localhost:4000'), false);
  });

  test('a malformed configured origin fails at start-up', () => {
    assert.throws(() => createOriginPolicy('https://chat.example.test', ['not a url']));
  });
});

describe('clientIp', () => {
  test('uses the socket address without TRUST_PROXY, ignoring X-Forwarded-For', () => {
    assert.equal(clientIp(request({ 'x-forwarded-for': '1.2.3.4' }), false), '10.0.0.5');
  });

  test('uses the first X-Forwarded-For entry with TRUST_PROXY', () => {
    assert.equal(clientIp(request({ 'x-forwarded-for': '1.2.3.4' }), true), '1.2.3.4');
    assert.equal(
      clientIp(request({ 'x-forwarded-for': ' 1.2.3.4 , 10.0.0.1, 10.0.0.2' }), true),
      '1.2.3.4',
    );
    assert.equal(
      clientIp(request({ 'x-forwarded-for': ['5.6.7.8, 9.9.9.9', '1.1.1.1'] }), true),
      '5.6.7.8',
    );
  });

  test('falls back to the socket with TRUST_PROXY but no (or an empty) header', () => {
    assert.equal(clientIp(request({}), true), '10.0.0.5');
    assert.equal(clientIp(request({ 'x-forwarded-for': '' }), true), '10.0.0.5');
    assert.equal(clientIp(request({ 'x-forwarded-for': ' , 1.2.3.4' }), true), '10.0.0.5');
  });

  test('"unknown" when the socket has no address', () => {
    assert.equal(clientIp(request({}, {}), false), 'unknown');
  });
});

describe('requestIdFrom', () => {
  test('keeps sane ids', () => {
    for (const id of [
      'abcdefgh',
      'req-1234.5678_x',
      'a'.repeat(64),
      '550e8400-e29b-41d4-a716-446655440000',
    ]) {
      assert.equal(requestIdFrom(request({ 'x-request-id': id })), id, id);
    }
  });

  test('rejects junk', () => {
    for (const id of [
      'short',
      'a'.repeat(65),
      'has space12',
      'newline\ninjected',
      'semi;colon1',
      '<script>x</script>',
      '',
    ]) {
      assert.equal(requestIdFrom(request({ 'x-request-id': id })), null, JSON.stringify(id));
    }
    assert.equal(requestIdFrom(request({})), null);
    assert.equal(requestIdFrom(request({ 'x-request-id': ['abcdefgh', 'ijklmnop'] })), null);
  });
});

describe('bearerToken', () => {
  test('extracts the token (scheme case-insensitive)', () => {
    assert.equal(bearerToken(request({ authorization: 'Bearer abc.def.ghi' })), 'abc.def.ghi');
    assert.equal(bearerToken(request({ authorization: 'bearer abc' })), 'abc');
    assert.equal(bearerToken(request({ authorization: 'BEARER   abc' })), 'abc');
  });

  test('null for a missing header, another scheme, no token or extra parts', () => {
    for (const authorization of [
      '',
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      'Token abc',
      'Bearer a b',
      'Bearerabc',
      'abc',
    ]) {
      assert.equal(bearerToken(request({ authorization })), null, JSON.stringify(authorization));
    }
    assert.equal(bearerToken(request({})), null);
  });
});
