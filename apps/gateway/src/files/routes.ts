import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FileRouteDeps } from './deps.js';
import { DownloadHandler } from './download.js';
import { sendFileError } from './http-errors.js';
import { UploadHandler } from './upload.js';

const FILE_PATH = /^\/files\/([0-9a-f]{24})(\/thumbnail)?$/;

/** `/files` and `/files/…`: upload, download, thumbnail. Resolves when the answer is under way. */
export function createFileRoutes(deps: FileRouteDeps) {
  const uploads = new UploadHandler(deps);
  const downloads = new DownloadHandler(deps);

  return async function serveFiles(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<void> {
    if (path === '/files') {
      if (req.method === 'POST') return uploads.handle(req, res);
      res.setHeader('allow', 'POST');
      return sendFileError(
        res,
        'BAD_REQUEST',
        `${req.method} is not supported on /files: POST a file`,
        { close: true },
        405,
      );
    }
    const match = FILE_PATH.exec(path);
    if (!match) return sendFileError(res, 'NOT_FOUND', 'File not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendFileError(
        res,
        'BAD_REQUEST',
        `${req.method} is not supported here: use GET`,
        { close: true },
        405,
      );
    }
    return downloads.handle(req, res, match[1]!, match[2] ? 'thumbnail' : 'file');
  };
}
