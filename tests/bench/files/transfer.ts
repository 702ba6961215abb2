/**
 * One upload (POST /files, the body streamed) or one download (GET of a signed URL, the body
 * counted and hashed, never kept) over plain node:http, timed from the request's start to the
 * answer's last byte. Anything but the expected status, length or bytes is an error.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Attachment } from '@chat/api';
import type { ByteRange, RandomBody } from './random-body.js';

/** A socket silent this long fails the transfer (GridFS on FerretDB can be slow, not stuck). */
const IDLE_TIMEOUT_MS = 120_000;

export interface Timed {
  ms: number;
  bytes: number;
}

export interface Uploaded extends Timed {
  attachment: Attachment;
  sha256: { whole: string; range: string | null };
}

export interface Downloaded extends Timed {
  status: number;
  sha256: string;
  /** Request start → first byte of the body. */
  firstByteMs: number;
}

/** MiB per second of `bytes` moved in `ms`. */
export const mibPerSecond = ({ ms, bytes }: Timed): number => bytes / 2 ** 20 / (ms / 1000);

export function upload(
  baseUrl: string,
  token: string,
  conversationId: string,
  body: RandomBody,
  name = 'random.bin',
): Promise<Uploaded> {
  const url = new URL('/files', baseUrl);
  url.search = new URLSearchParams({ conversationId, name }).toString();
  const started = performance.now();
  return new Promise<Uploaded>((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(body.size),
      },
    });
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error('upload: socket idle for 120 s')));
    req.on('error', reject);
    body.on('error', (err) => req.destroy(err));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const ms = performance.now() - started;
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 201)
          return reject(new Error(`upload answered ${res.statusCode}: ${text.slice(0, 300)}`));
        const attachment = JSON.parse(text) as Attachment;
        if (attachment.size !== body.size)
          return reject(new Error(`upload stored ${attachment.size} bytes of ${body.size}`));
        resolve({ ms, bytes: body.size, attachment, sha256: body.sha256 });
      });
    });
    body.pipe(req);
  });
}

export function download(
  baseUrl: string,
  path: string,
  expected: { bytes: number; sha256: string },
  range: ByteRange | null = null,
): Promise<Downloaded> {
  const started = performance.now();
  return new Promise<Downloaded>((resolve, reject) => {
    const req = http.get(new URL(path, baseUrl), {
      agent: false,
      headers: range ? { range: `bytes=${range.start}-${range.end}` } : {},
    });
    req.setTimeout(IDLE_TIMEOUT_MS, () =>
      req.destroy(new Error('download: socket idle for 120 s')),
    );
    req.on('error', reject);
    req.on('response', (res) => {
      const want = range ? 206 : 200;
      const hash = createHash('sha256');
      let bytes = 0;
      let firstByteMs: number | null = null;
      res.on('data', (chunk: Buffer) => {
        firstByteMs ??= performance.now() - started;
        bytes += chunk.length;
        hash.update(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        const ms = performance.now() - started;
        const sha256 = hash.digest('hex');
        if (res.statusCode !== want)
          return reject(new Error(`download answered ${res.statusCode}, expected ${want}`));
        if (bytes !== expected.bytes)
          return reject(new Error(`download gave ${bytes} bytes, expected ${expected.bytes}`));
        if (sha256 !== expected.sha256)
          return reject(new Error('download gave other bytes than were uploaded'));
        resolve({ ms, bytes, status: res.statusCode, sha256, firstByteMs: firstByteMs ?? ms });
      });
    });
  });
}
