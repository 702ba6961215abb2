import type { Attachment } from '@chat/api';
import type { TestSystem, TestUser } from './system.js';

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  json: T;
  body: Buffer;
}

/** POST /files as `user` (or with `token` null: no Authorization), raw bytes as the body. */
export async function uploadAs(
  system: TestSystem,
  user: TestUser | null,
  conversationId: string | null,
  body: Uint8Array | string,
  options: { name?: string | null; contentType?: string; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<Attachment & { error?: { message: string; data: { code: string } } }>> {
  const query = new URLSearchParams();
  if (conversationId !== null) query.set('conversationId', conversationId);
  if (options.name !== null) query.set('name', options.name ?? 'file.bin');
  const token = user?.client.session?.accessToken;
  const res = await fetch(`${system.url}/files?${query.toString()}`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/octet-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...options.headers,
    },
    body,
  });
  return answerOf(res);
}

/** GET a file URL (relative to the gateway), with `user`'s token when given. */
export async function download(
  system: TestSystem,
  path: string,
  options: { user?: TestUser | null; headers?: Record<string, string>; method?: string } = {},
): Promise<HttpAnswer> {
  const token = options.user?.client.session?.accessToken;
  const res = await fetch(new URL(path, system.url), {
    method: options.method ?? 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
  });
  return answerOf(res);
}

async function answerOf<T>(res: Response): Promise<HttpAnswer<T>> {
  const body = Buffer.from(await res.arrayBuffer());
  let json: unknown = null;
  if ((res.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(body.toString());
  return { status: res.status, headers: res.headers, json: json as T, body };
}

/** A minimal PCM WAV of `ms` of silence (8 kHz mono 8-bit): a real, playable audio file. */
export function silentWav(ms: number): Buffer {
  const rate = 8000;
  const samples = Math.round((rate * ms) / 1000);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate, 28); // bytes per second
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples, 40);
  return Buffer.concat([header, Buffer.alloc(samples, 0x80)]);
}

/** A one-page PDF (enough for magic-number detection and a viewer). */
export const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
