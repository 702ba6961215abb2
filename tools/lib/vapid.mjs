// The VAPID key pair (Web Push, RFC 8292) of local runs. Node built-ins only.
import { createECDH } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A fresh P-256 pair, base64url: public = the 65-byte uncompressed point, private = 32 bytes. */
export function generateVapidKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    VAPID_PUBLIC_KEY: ecdh.getPublicKey('base64url'),
    // A scalar with leading zero bytes comes back shorter: keep it 32 bytes.
    VAPID_PRIVATE_KEY: Buffer.from(ecdh.getPrivateKey('hex').padStart(64, '0'), 'hex').toString(
      'base64url',
    ),
  };
}

/**
 * The environment's pair when it sets one; else the pair kept in `<dataDir>/vapid.json`,
 * made on first use with a one-time warning. Browsers' subscriptions are bound to the public
 * key, so the same pair must survive restarts.
 */
export function localVapidKeys(dataDir, env = process.env, log = console.warn) {
  if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY)
    return { VAPID_PUBLIC_KEY: env.VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: env.VAPID_PRIVATE_KEY };
  const file = path.join(dataDir, 'vapid.json');
  if (existsSync(file)) {
    const { publicKey, privateKey } = JSON.parse(readFileSync(file, 'utf8'));
    return { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey };
  }
  const keys = generateVapidKeys();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ publicKey: keys.VAPID_PUBLIC_KEY, privateKey: keys.VAPID_PRIVATE_KEY }, null, 2)}\n`,
    { mode: 0o600 },
  );
  log(
    [
      '',
      `⚠ Web Push: no VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY set, so a key pair was generated into`,
      `  ${file} (kept for later runs; delete it for a new pair, which drops every browser's`,
      '  push subscription). Production must set both variables itself: it refuses to start',
      '  without them (README "Web Push").',
      '',
    ].join('\n'),
  );
  return keys;
}
