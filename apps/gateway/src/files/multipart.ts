import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { AppError } from '@chat/core';

export interface FilePart {
  stream: Readable;
  /** The part's own file name, used when the query names none. */
  filename: string | null;
}

/** The `file` part of a `multipart/form-data` upload, as a stream (other fields are ignored). */
export function fileFromMultipart(req: IncomingMessage): Promise<FilePart> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 20, parts: 30 } });
    } catch (err) {
      return reject(
        new AppError('BAD_REQUEST', `Unreadable multipart body: ${(err as Error).message}`),
      );
    }
    let found = false;
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || found) return stream.resume();
      found = true;
      resolve({ stream, filename: info.filename || null });
    });
    parser.on('error', (err: Error) =>
      reject(new AppError('BAD_REQUEST', `Unreadable multipart body: ${err.message}`)),
    );
    parser.on('close', () => {
      if (!found) reject(new AppError('BAD_REQUEST', 'The multipart body has no `file` part'));
    });
    req.pipe(parser);
  });
}
