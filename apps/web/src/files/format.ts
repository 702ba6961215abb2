import type { Attachment } from '@chat/api';
import { FILE_NAME_MAX_CHARS } from '@chat/contract/constants';

const UNITS = ['KB', 'MB', 'GB'] as const;
// The characters the server refuses in one-line values (NUL and C0/C1 controls).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** "512 B", "1.4 KB", "25 MB" (binary units, as the server's limit is counted). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value < 10 && !Number.isInteger(value) ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/**
 * A name the server accepts (one line, no path separators, ≤ 255 characters; see
 * `fileNameSchema`), keeping the extension when it has to be shortened.
 */
export function uploadName(name: string): string {
  let clean = name.replace(CONTROL, '').replace(/[/\\]/g, '_').trim();
  if (!clean || clean === '.' || clean === '..') clean = 'file';
  const chars = [...clean];
  if (chars.length <= FILE_NAME_MAX_CHARS) return clean;
  const dot = clean.lastIndexOf('.');
  const extension = dot > 0 && clean.length - dot <= 16 ? [...clean.slice(dot)] : [];
  return chars.slice(0, FILE_NAME_MAX_CHARS - extension.length).join('') + extension.join('');
}

const KIND_NAMES: Record<Attachment['kind'], [one: string, many: string]> = {
  image: ['Photo', 'photos'],
  video: ['Video', 'videos'],
  audio: ['Audio', 'audio files'],
  file: ['File', 'files'],
};

/**
 * What the conversation list shows for a message with attachments: "📎 Photo", "📎 2 files",
 * or the caption after the clip. `count` is known only when the message itself is cached.
 */
export function attachmentsPreview(
  kind: Attachment['kind'],
  content: string,
  count: number | undefined,
): string {
  if (content) return `📎 ${content}`;
  const [one, many] = KIND_NAMES[kind];
  return count && count > 1 ? `📎 ${count} ${many}` : `📎 ${one}`;
}
