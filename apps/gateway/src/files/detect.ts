import { fileTypeFromBuffer } from 'file-type';
import type { AttachmentKind } from '@chat/api';

/** Raster formats we decode for a thumbnail and show inline; never SVG (it can hold script). */
const RASTER_IMAGES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif']);
/** Media types browsers play in `<audio>`/`<video>`. */
const PLAYABLE = new Set([
  'audio/mpeg',
  'audio/ogg',
  'audio/opus',
  'audio/wav',
  'audio/x-wav',
  'audio/flac',
  'audio/x-flac',
  'audio/aac',
  'audio/aacp',
  'audio/mp4',
  'audio/x-m4a',
  'audio/webm',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'video/quicktime',
]);

export interface Detected {
  mime: string;
  /** What the bytes can be shown as, before decoding proves it (see images.ts). */
  kind: AttachmentKind;
}

/**
 * What a file is, from its first bytes only (magic numbers): the client's name and
 * Content-Type are never trusted. Anything unrecognised — text, HTML, SVG, a "PNG" that is
 * HTML — is a `file`, served as a download.
 */
export async function detectType(head: Buffer): Promise<Detected> {
  const found = await fileTypeFromBuffer(head);
  const mime = found?.mime ?? 'application/octet-stream';
  if (RASTER_IMAGES.has(mime)) return { mime, kind: 'image' };
  if (PLAYABLE.has(mime)) return { mime, kind: mime.startsWith('video/') ? 'video' : 'audio' };
  return { mime, kind: 'file' };
}

/** Shown in the page (`inline`) only for what we detected as images, audio or video. */
export const isInline = (kind: AttachmentKind, mime: string): boolean =>
  kind !== 'file' && (RASTER_IMAGES.has(mime) || PLAYABLE.has(mime));
