import { TRPCClientError } from '@trpc/client';
import type { Attachment } from '@chat/api';
import type { SessionManager } from '../session/session-manager.js';

/**
 * What an upload's bytes may be: a browser `File`/`Blob`, bytes (`Uint8Array`, Node's
 * `Buffer`), a web `ReadableStream`, or any async iterable of bytes (a Node `Readable`, e.g.
 * `fs.createReadStream(path)`). Streams are sent as they are read, never buffered whole.
 */
export type UploadBody =
  Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface UploadOptions {
  /** The name people see and download it as (required unless the body is a `File`). */
  name?: string;
  signal?: AbortSignal;
}

export interface UploadDeps {
  baseUrl: string;
  sessions: SessionManager;
  fetch?: typeof fetch;
}

/** The error of a refused upload: `data.code` (e.g. PAYLOAD_TOO_LARGE) like any call's. */
export type UploadError = TRPCClientError<never>;

/**
 * `POST /files` into a conversation → the Attachment to pass to `chat.send`. Rejects with a
 * TRPCClientError carrying the server's code (`error.data.code`), so callers handle upload
 * and call failures alike.
 */
export async function uploadFile(
  deps: UploadDeps,
  conversationId: string,
  body: UploadBody,
  options: UploadOptions = {},
): Promise<Attachment> {
  const name = options.name ?? (isFile(body) ? body.name : undefined);
  if (!name) throw new TypeError('upload: pass { name } for a body that is not a File');
  const token = await deps.sessions.accessToken();
  const url = `${deps.baseUrl.replace(/\/+$/, '')}/files?${new URLSearchParams({ conversationId, name }).toString()}`;
  const streamed = !(
    body instanceof Blob ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer
  );
  const init: RequestInit & { duplex?: 'half' } = {
    method: 'POST',
    headers: {
      'content-type': body instanceof Blob && body.type ? body.type : 'application/octet-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body as RequestInit['body'],
    ...(options.signal ? { signal: options.signal } : {}),
    // A streamed request body needs half duplex (Node's fetch requires saying so).
    ...(streamed ? { duplex: 'half' as const } : {}),
  };
  const res = await (deps.fetch ?? fetch)(url, init);
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page): described below by its status.
  }
  if (res.status === 201) return json as Attachment;
  const error = (json as { error?: { message?: string; data?: unknown } } | null)?.error;
  throw new TRPCClientError(error?.message ?? `Upload failed with HTTP ${res.status}`, {
    result: { error: { data: error?.data ?? { httpStatus: res.status } } } as never,
  });
}

const isFile = (body: UploadBody): body is File =>
  typeof File !== 'undefined' && body instanceof File;
