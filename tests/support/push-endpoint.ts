// A real Web Push endpoint (a "push service", RFC 8030) on 127.0.0.1 over HTTPS, for tests.
// It does what a browser's push service and the browser together do: verifies the VAPID
// Authorization header (RFC 8292) and decrypts the aes128gcm payload (RFC 8291 / RFC 8188)
// with the subscription's own ECDH private key and auth secret, all with node:crypto and
// jose — never with the library the server sends with.
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createECDH, hkdfSync, randomBytes, type ECDH } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeProtectedHeader, importJWK, jwtVerify, type JWTPayload } from 'jose';

export interface ReceivedPush {
  /** The subscription it was sent to (the name given to `subscription()`). */
  name: string;
  /** The decrypted payload, parsed as JSON. */
  payload: unknown;
  headers: IncomingHttpHeaders;
  claims: JWTPayload;
  /** What the endpoint answered. */
  status: number;
  at: number;
}

export interface TestPushSubscription {
  name: string;
  /** What a browser's PushSubscription.toJSON() gives (the input of push.subscribe). */
  json: { endpoint: string; keys: { p256dh: string; auth: string } };
  /** Answer pushes to this subscription with this status from now on (201 = accepted). */
  respondWith(status: number): void;
  /** Pushes this subscription received (decrypted and verified), oldest first. */
  received(): ReceivedPush[];
}

export interface PushEndpoint {
  origin: string;
  /** The endpoint's self-signed certificate: give it to the sender as NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** A new subscription (fresh P-256 key pair and auth secret) with a path of its own. */
  subscription(name: string): TestPushSubscription;
  /** Every push that arrived and verified, in arrival order. */
  received: ReceivedPush[];
  /** Requests that failed verification or decryption (a test should expect none). */
  errors: string[];
  close(): Promise<void>;
}

/** A self-signed P-256 certificate for 127.0.0.1 (`key.pem`, `cert.pem`) in a new temp dir. */
export function makeLoopbackCertificate(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'push-endpoint-'));
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
      ...['-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
      ...['-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  return dir;
}

interface Entry {
  name: string;
  ecdh: ECDH;
  auth: Buffer;
  status: number;
}

/**
 * Starts the endpoint. `vapidPublicKey` is the application server key pushes must be signed
 * with (the `k` of the Authorization header).
 */
export async function startPushEndpoint(options: {
  vapidPublicKey: string;
  /**
   * A directory holding `key.pem` and `cert.pem` for 127.0.0.1, made before the sender
   * started (it must trust the certificate from its start: NODE_EXTRA_CA_CERTS); by default
   * a fresh pair.
   */
  tlsDir?: string;
}): Promise<PushEndpoint> {
  const dir = options.tlsDir ?? makeLoopbackCertificate();
  const keyFile = path.join(dir, 'key.pem');
  const caFile = path.join(dir, 'cert.pem');
  const subscriptions = new Map<string, Entry>();
  const received: ReceivedPush[] = [];
  const errors: string[] = [];
  let origin = '';

  const server: Server = createServer(
    { key: readFileSync(keyFile), cert: readFileSync(caFile) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = (req.url ?? '').replace(/^\/push\//, '');
        const entry = subscriptions.get(id);
        if (req.method !== 'POST' || !entry) {
          res.writeHead(404).end();
          return;
        }
        verify(req.headers, Buffer.concat(chunks), entry).then(
          ({ payload, claims }) => {
            received.push({
              name: entry.name,
              payload,
              headers: req.headers,
              claims,
              status: entry.status,
              at: Date.now(),
            });
            res.writeHead(entry.status, {
              location: `${origin}/message/${randomBytes(4).toString('hex')}`,
            });
            res.end();
          },
          (err: unknown) => {
            errors.push(`${entry.name}: ${(err as Error).message}`);
            res.writeHead(400).end();
          },
        );
      });
    },
  );

  async function verify(
    headers: IncomingHttpHeaders,
    body: Buffer,
    entry: Entry,
  ): Promise<{ payload: unknown; claims: JWTPayload }> {
    if (headers['content-encoding'] !== 'aes128gcm')
      throw new Error(`content-encoding ${headers['content-encoding']}`);
    if (!/^\d+$/.test(String(headers.ttl))) throw new Error('no TTL header');
    const claims = await verifyVapid(String(headers.authorization ?? ''));
    return { payload: JSON.parse(decrypt(body, entry).toString('utf8')) as unknown, claims };
  }

  /** RFC 8292: `vapid t=<JWT>, k=<P-256 public key>`; ES256 by k, aud = our origin, exp ≤ 24 h. */
  async function verifyVapid(authorization: string): Promise<JWTPayload> {
    const m = /^vapid t=([\w.-]+),\s*k=([\w-]+)$/.exec(authorization);
    if (!m) throw new Error(`Authorization is not vapid: ${authorization.slice(0, 40)}`);
    const [, token, k] = m as unknown as [string, string, string];
    if (k !== options.vapidPublicKey) throw new Error('k is not the expected VAPID public key');
    if (decodeProtectedHeader(token).alg !== 'ES256') throw new Error('JWT alg is not ES256');
    const point = Buffer.from(k, 'base64url');
    if (point.length !== 65 || point[0] !== 4)
      throw new Error('k is not an uncompressed P-256 point');
    const key = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      'ES256',
    );
    const { payload } = await jwtVerify(token, key, { algorithms: ['ES256'], audience: origin });
    if (typeof payload.exp !== 'number' || payload.exp > Date.now() / 1000 + 24 * 3600 + 60)
      throw new Error('exp missing or more than 24 h ahead');
    if (typeof payload.sub !== 'string' || !/^(mailto:|https:)/.test(payload.sub))
      throw new Error('sub missing or not mailto:/https:');
    return payload;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('push endpoint has no port');
  origin = `https://127.0.0.1:${address.port}`;

  return {
    origin,
    caFile,
    received,
    errors,
    subscription(name) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const id = randomBytes(12).toString('base64url');
      const entry: Entry = { name, ecdh, auth, status: 201 };
      subscriptions.set(id, entry);
      return {
        name,
        json: {
          endpoint: `${origin}/push/${id}`,
          keys: { p256dh: ecdh.getPublicKey('base64url'), auth: auth.toString('base64url') },
        },
        respondWith: (status) => {
          entry.status = status;
        },
        received: () => received.filter((r) => r.name === name),
      };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          if (!options.tlsDir) rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

/**
 * RFC 8291 §3.4 + RFC 8188 §2: the aes128gcm body is salt(16) ‖ rs(4) ‖ idlen(1) ‖ keyid
 * (the sender's ephemeral public key) ‖ one record; keys come from ECDH with the
 * subscription's private key, mixed with its auth secret.
 */
function decrypt(body: Buffer, { ecdh, auth }: Entry): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const senderPublic = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  if (idlen !== 65) throw new Error(`keyid of ${idlen} bytes, not a P-256 point`);
  if (record.length > rs) throw new Error('more than one record');
  const shared = ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([
    Buffer.from('WebPush: info\0'),
    ecdh.getPublicKey(),
    senderPublic,
  ]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, auth, keyInfo, 32));
  const cek = Buffer.from(
    hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16),
  );
  const nonce = Buffer.from(
    hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12),
  );
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([
    decipher.update(record.subarray(0, record.length - 16)),
    decipher.final(),
  ]);
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end);
}
