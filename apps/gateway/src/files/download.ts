import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import type { FileAccess } from '@chat/api';
import { AppError } from '@chat/core';
import { FileNotFoundError, type FileVariant } from '@chat/files';
import { bearerToken, clientIp, requestIdFrom } from '../http-headers.js';
import type { FileRouteDeps } from './deps.js';
import { isInline } from './detect.js';
import { sendFileError, sendStorageFailure } from './http-errors.js';
import { parseRange } from './range.js';
import { thumbnailKey } from './upload.js';

const notFound = (res: ServerResponse) => sendFileError(res, 'NOT_FOUND', 'File not found');

/** Types a browser would run as a document: always a plain download. */
const ACTIVE_TYPES = /html|xml|svg|javascript|ecmascript/i;

/**
 * GET/HEAD /files/<id>[/thumbnail]: a valid signed URL, or the Bearer token of a member of
 * the file's conversation; anyone else gets the same 404 as for a file that doesn't exist.
 * Single byte ranges (206/416) for seeking in audio and video.
 */
export class DownloadHandler {
  constructor(private readonly deps: FileRouteDeps) {}

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    fileId: string,
    variant: FileVariant,
  ): Promise<void> {
    const { signer, rpc, env } = this.deps;
    const requestId = requestIdFrom(req) ?? randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const exp = query.get('exp');
    const sig = query.get('sig');
    let userId: string | null = null;
    if (exp !== null || sig !== null) {
      const check = signer.check(fileId, variant, exp ?? '', sig ?? '');
      if (check === 'invalid') return notFound(res);
      if (check === 'expired')
        return sendFileError(res, 'FORBIDDEN', 'This link has expired; reload the conversation');
    } else {
      userId = await this.deps.authenticate(bearerToken(req));
      if (!userId) return notFound(res);
    }

    let access: FileAccess;
    try {
      access = await rpc(
        'chat.file.access',
        { fileId },
        { requestId, userId, ip: clientIp(req, env.TRUST_PROXY) },
      );
    } catch (err) {
      return this.fail(res, err);
    }
    if (variant === 'thumbnail' && !access.thumbnail) return notFound(res);

    const thumbnail = variant === 'thumbnail';
    const range = thumbnail ? null : parseRange(req.headers.range, access.size);
    if (range === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${access.size}`);
      return sendFileError(res, 'BAD_REQUEST', 'Range not satisfiable', {}, 416);
    }
    let stream: Readable;
    try {
      stream = await this.deps.files.read(
        thumbnail ? thumbnailKey(fileId) : fileId,
        range ?? undefined,
      );
    } catch (err) {
      return this.fail(res, err);
    }

    const inline = thumbnail || isInline(access.kind, access.mime);
    const type = thumbnail
      ? 'image/webp'
      : inline || !ACTIVE_TYPES.test(access.mime)
        ? access.mime
        : 'application/octet-stream';
    const headers: Record<string, string> = {
      'content-type': type,
      'content-disposition': `${inline ? 'inline' : 'attachment'}; ${dispositionName(access.name, thumbnail)}`,
      // A file is a document of its own, never a page of the app.
      'content-security-policy': "default-src 'none'; sandbox",
      'cross-origin-resource-policy': 'same-site',
      'cache-control': userId === null ? 'private, max-age=3600' : 'private, no-cache',
    };
    if (!thumbnail) {
      headers['accept-ranges'] = 'bytes';
      headers['content-length'] = String(range ? range.end - range.start + 1 : access.size);
      if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${access.size}`;
    }
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD') {
      stream.destroy();
      res.end();
      return;
    }
    pipeline(stream, res, (err) => {
      if (err && !res.destroyed) res.destroy();
      if (err) this.deps.log.debug({ err: err.message, fileId }, 'file download interrupted');
    });
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (err instanceof FileNotFoundError) return notFound(res);
    if (err instanceof AppError) return sendFileError(res, err.code, err.message);
    sendStorageFailure(res, err, this.deps.log, 'download');
  }
}

/** `filename` for old clients (ASCII only) and `filename*` (RFC 8187) with the real name. */
function dispositionName(name: string, thumbnail: boolean): string {
  const full = thumbnail ? `${name.replace(/\.[^.]*$/, '')}.thumbnail.webp` : name;
  const ascii = full.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(full)}`;
}
