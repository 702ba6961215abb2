// tools/lib/vapid.mjs: the key pair `npm start` / `npm run dev` use when the environment has none.
import assert from 'node:assert/strict';
import { createECDH } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

type Keys = { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string };
interface VapidModule {
  generateVapidKeys: () => Keys;
  localVapidKeys: (
    dataDir: string,
    env: Record<string, string | undefined>,
    log: (line: string) => void,
  ) => Keys;
}
// A plain .mjs (tools run before dependencies are installed): typed here by its use.
const modulePath = fileURLToPath(new URL('../../tools/lib/vapid.mjs', import.meta.url));
const { generateVapidKeys, localVapidKeys } = (await import(modulePath)) as VapidModule;

const dir = mkdtempSync(path.join(tmpdir(), 'vapid-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The private key's public point, as the workers' env check computes it. */
const publicOf = (privateKey: string) => {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
  return ecdh.getPublicKey('base64url');
};

test('a generated pair: 65-byte point, 32-byte scalar, one pair', () => {
  for (let i = 0; i < 20; i++) {
    const keys = generateVapidKeys();
    assert.equal(Buffer.from(keys.VAPID_PUBLIC_KEY, 'base64url').length, 65);
    assert.equal(Buffer.from(keys.VAPID_PRIVATE_KEY, 'base64url').length, 32);
    assert.equal(publicOf(keys.VAPID_PRIVATE_KEY), keys.VAPID_PUBLIC_KEY);
  }
});

test('first run generates into <data>/vapid.json with one warning; later runs reuse it', () => {
  const lines: string[] = [];
  const first = localVapidKeys(dir, {}, (l) => lines.push(l));
  const file = path.join(dir, 'vapid.json');
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /vapid\.json/);
  assert.match(lines[0]!, /Production must set both/);
  assert.equal(statSync(file).mode & 0o077, 0, 'readable by its owner only');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
    publicKey: first.VAPID_PUBLIC_KEY,
    privateKey: first.VAPID_PRIVATE_KEY,
  });
  assert.deepEqual(
    localVapidKeys(dir, {}, (l) => lines.push(l)),
    first,
  );
  assert.equal(lines.length, 1, 'no second warning');
});

test("the environment's pair wins, and nothing is written", () => {
  const own = generateVapidKeys();
  const empty = mkdtempSync(path.join(tmpdir(), 'vapid-env-'));
  try {
    assert.deepEqual(
      localVapidKeys(empty, own, () => assert.fail('no warning')),
      own,
    );
    assert.throws(() => statSync(path.join(empty, 'vapid.json')));
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
