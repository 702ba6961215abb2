import type { Attachment } from '@chat/api';
import { sessions } from '../auth/session';

/** A refused or failed upload, with the server's message and code when it answered. */
export class UploadError extends Error {
  constructor(
    message: string,
    /** The tRPC-style code (`PAYLOAD_TOO_LARGE`, `SERVICE_UNAVAILABLE`, …); undefined offline. */
    readonly code: string | undefined,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

export interface UploadHandle {
  /** The stored Attachment; rejects with UploadError, or with an AbortError when cancelled. */
  done: Promise<Attachment>;
  /** Cancels the request (xhr.abort). */
  abort(): void;
}

/**
 * `POST /files` with XMLHttpRequest rather than fetch: only XHR reports upload progress.
 * The body is the raw file with its own Content-Type; the server trusts only the bytes.
 * An UNAUTHORIZED answer (the token expired on the way) is retried once after a refresh.
 */
export function uploadWithProgress(
  conversationId: string,
  file: Blob,
  name: string,
  onProgress: (sent: number, total: number) => void,
): UploadHandle {
  let current: XMLHttpRequest | null = null;
  let aborted = false;
  const url = `/files?${new URLSearchParams({ conversationId, name })}`;

  const attempt = async (mayRefresh: boolean): Promise<Attachment> => {
    const stale = sessions.get();
    const token = await sessions.accessToken();
    if (aborted) throw abortError();
    try {
      return await send(token);
    } catch (error) {
      if (mayRefresh && error instanceof UploadError && error.status === 401 && stale) {
        const fresh = await sessions.refresh(stale).catch(() => null);
        if (fresh && !aborted) return attempt(false);
      }
      throw error;
    }
  };

  const send = (token: string | null) =>
    new Promise<Attachment>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      current = xhr;
      xhr.open('POST', url);
      xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.responseType = 'text';
      xhr.upload.onprogress = (event) => {
        onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
      };
      xhr.onload = () => {
        const json = parseJson(xhr.responseText);
        if (xhr.status === 201 && json && typeof json === 'object') {
          resolve(json as Attachment);
          return;
        }
        reject(errorFrom(xhr.status, json, xhr.getResponseHeader('retry-after')));
      };
      // The server answers 413 and closes the connection before reading the body: some
      // browsers then report a network error rather than the answer.
      xhr.onerror = () =>
        reject(
          new UploadError(
            navigator.onLine ? 'Upload failed: the connection was lost' : 'No connection',
            undefined,
            0,
          ),
        );
      xhr.ontimeout = xhr.onerror;
      xhr.onabort = () => reject(abortError());
      xhr.send(file);
    });

  return {
    done: attempt(true),
    abort() {
      aborted = true;
      current?.abort();
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null; // a proxy's HTML error page: described by its status below
  }
}

function errorFrom(status: number, json: unknown, retryAfter: string | null): UploadError {
  const error = (
    json as {
      error?: { message?: string; data?: { code?: string; retryAfterMs?: number } };
    } | null
  )?.error;
  const retryAfterMs =
    error?.data?.retryAfterMs ?? (retryAfter ? Number(retryAfter) * 1000 : undefined);
  return new UploadError(
    error?.message ?? `Upload failed (HTTP ${status})`,
    error?.data?.code,
    status,
    Number.isFinite(retryAfterMs) ? retryAfterMs : undefined,
  );
}

const abortError = () => new DOMException('Upload cancelled', 'AbortError');
