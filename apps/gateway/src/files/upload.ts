import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { idSchema, uploadQuery, type Attachment, type AttachmentKind } from '@chat/api';
import { AppError, type RequestMeta } from '@chat/core';
import { bearerToken, clientIp, requestIdFrom } from '../http-headers.js';
import { ByteCounter, TooLargeError } from './byte-counter.js';
import type { FileRouteDeps } from './deps.js';
import { detectType } from './detect.js';
import { sendFileError, sendStorageFailure } from './http-errors.js';
import { mediaDurationMs } from './media.js';
import { fileFromMultipart } from './multipart.js';

export const thumbnailKey = (fileId: string) => `${fileId}.thumb`;

interface Facts {
  kind: AttachmentKind;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  thumbnail: boolean;
}

/**
 * POST /files: streams the body into the file store while counting it (413 the moment it
 * passes FILE_MAX_BYTES) and keeping its first bytes, then learns what it is from those bytes
 * (never from the client's claim), reads images back once for their size and thumbnail, and
 * records it with the chat worker. Any failure removes what was written.
 */
export class UploadHandler {
  /** Uploads being received, per user and in all. */
  private readonly inFlight = new Map<string, number>();
  private total = 0;

  constructor(private readonly deps: FileRouteDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { env } = this.deps;
    const requestId = requestIdFrom(req) ?? randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const userId = await this.deps.authenticate(bearerToken(req));
    if (!userId)
      return sendFileError(res, 'UNAUTHORIZED', 'Sign in to upload files', { close: true });
    const declared = Number(req.headers['content-length']);
    if (declared > env.FILE_MAX_BYTES)
      return sendFileError(res, 'PAYLOAD_TOO_LARGE', tooLargeMessage(env.FILE_MAX_BYTES), {
        close: true,
      });
    if (req.headers['content-length'] === '0')
      return sendFileError(res, 'BAD_REQUEST', 'The file is empty', { close: true });
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const conversationId = idSchema.safeParse(query.get('conversationId') ?? '');
    if (!conversationId.success)
      return sendFileError(res, 'BAD_REQUEST', 'conversationId is missing or invalid', {
        close: true,
      });

    try {
      await this.deps.limits.consume('upload', `user:${userId}`);
    } catch (err) {
      return this.fail(res, err, { close: true });
    }
    const running = this.inFlight.get(userId) ?? 0;
    if (running >= env.UPLOAD_CONCURRENCY_PER_USER)
      return sendFileError(
        res,
        'TOO_MANY_REQUESTS',
        `At most ${env.UPLOAD_CONCURRENCY_PER_USER} uploads at once; wait for one to finish`,
        { retryAfterMs: 1000, close: true },
      );
    if (this.total >= env.UPLOAD_CONCURRENCY_PER_GATEWAY)
      return sendFileError(
        res,
        'SERVICE_UNAVAILABLE',
        'This server is receiving too many uploads right now; retry shortly',
        { retryAfterMs: 1000, close: true },
      );
    this.inFlight.set(userId, running + 1);
    this.count(1);
    try {
      const meta: RequestMeta = { requestId, userId, ip: clientIp(req, env.TRUST_PROXY) };
      await this.receive(req, res, conversationId.data, query.get('name'), meta);
    } finally {
      const left = (this.inFlight.get(userId) ?? 1) - 1;
      if (left > 0) this.inFlight.set(userId, left);
      else this.inFlight.delete(userId);
      this.count(-1);
    }
  }

  private count(change: number): void {
    this.total += change;
    this.deps.uploadsInFlight.set(this.total);
  }

  private async receive(
    req: IncomingMessage,
    res: ServerResponse,
    conversationId: string,
    queryName: string | null,
    meta: RequestMeta,
  ): Promise<void> {
    const { files, rpc, log, env } = this.deps;
    let body: Readable = req;
    let name = queryName;
    const multipart = /^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '');
    try {
      if (multipart) {
        const part = await fileFromMultipart(req);
        body = part.stream;
        name ??= part.filename;
      }
    } catch (err) {
      return this.fail(res, err, { close: true });
    }
    const input = uploadQuery.safeParse({ conversationId, name: name ?? '' });
    if (!input.success)
      return sendFileError(res, 'BAD_REQUEST', input.error.issues[0]?.message ?? 'Invalid name', {
        close: true,
      });

    let fileId: string;
    try {
      ({ fileId } = await rpc('chat.file.begin', input.data, meta));
    } catch (err) {
      return this.fail(res, err, { close: true });
    }
    // The client going away stops the store's write (nothing half-written is kept).
    const aborted = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    const counter = new ByteCounter(env.FILE_MAX_BYTES);
    try {
      // Not stream.pipeline: it would destroy the request (and the socket) on a 413 before
      // the answer could be sent.
      body.on('error', (err) => counter.destroy(err));
      await files.write(fileId, body.pipe(counter), {
        contentType: 'application/octet-stream',
        signal: aborted.signal,
      });
      if (counter.bytes === 0) throw new AppError('BAD_REQUEST', 'The file is empty');
      const detected = await detectType(counter.head);
      const facts = await this.inspect(fileId, detected.kind, detected.mime, counter.bytes);
      const attachment: Attachment = await rpc(
        'chat.file.complete',
        { fileId, size: counter.bytes, mime: detected.mime, ...facts },
        meta,
      );
      log.info(
        {
          requestId: meta.requestId,
          userId: meta.userId,
          fileId,
          size: counter.bytes,
          kind: facts.kind,
        },
        'file uploaded',
      );
      const json = JSON.stringify(attachment);
      res
        .writeHead(201, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(json),
        })
        .end(json);
    } catch (err) {
      body.unpipe(counter); // the rest is never read: the answer closes the connection
      await Promise.allSettled([files.remove(fileId), files.remove(thumbnailKey(fileId))]);
      await rpc('chat.file.discard', { fileId }, meta).catch(() => undefined);
      if (aborted.signal.aborted) {
        log.info({ requestId: meta.requestId, fileId }, 'upload abandoned by the client');
        return;
      }
      this.fail(res, err, { close: true });
    }
  }

  /** Dimensions and thumbnail of images, duration of clips; what doesn't decode is a file. */
  private async inspect(
    fileId: string,
    kind: AttachmentKind,
    mime: string,
    size: number,
  ): Promise<Facts> {
    const { files, images } = this.deps;
    const none: Facts = { kind, width: null, height: null, durationMs: null, thumbnail: false };
    if (kind === 'image') {
      const image = await images.inspect(await files.read(fileId));
      if (!image) return { ...none, kind: 'file' };
      await files.write(thumbnailKey(fileId), Readable.from([image.thumbnail]), {
        contentType: 'image/webp',
      });
      return { ...none, width: image.width, height: image.height, thumbnail: true };
    }
    if (kind === 'audio' || kind === 'video')
      return { ...none, durationMs: await mediaDurationMs(await files.read(fileId), mime, size) };
    return none;
  }

  private fail(res: ServerResponse, err: unknown, options: { close: boolean }): void {
    if (err instanceof TooLargeError)
      return sendFileError(res, 'PAYLOAD_TOO_LARGE', tooLargeMessage(err.limit), options);
    if (err instanceof AppError)
      return sendFileError(res, err.code, err.message, {
        ...options,
        ...(typeof err.data?.retryAfterMs === 'number'
          ? { retryAfterMs: err.data.retryAfterMs }
          : {}),
      });
    sendStorageFailure(res, err, this.deps.log, 'upload', options);
  }
}

const tooLargeMessage = (limit: number) =>
  `File is larger than ${Math.floor(limit / (1024 * 1024))} MiB`;
