import type { Readable } from 'node:stream';
import { parseStream } from 'music-metadata';

/** Reading a container's header is quick; a file that makes it slow gets no duration. */
const DURATION_TIMEOUT_MS = 10_000;

/**
 * A clip's duration when its container states it (MP4/M4A `mvhd`, WebM/Ogg/MP3/WAV headers):
 * no decoding. Null when it doesn't, or the bytes aren't a readable container.
 */
export async function mediaDurationMs(
  source: Readable,
  mime: string,
  size: number,
): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const parsed = await Promise.race([
      parseStream(source, { mimeType: mime, size }, { duration: false, skipCovers: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), DURATION_TIMEOUT_MS);
      }),
    ]);
    const seconds = parsed.format.duration;
    return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
      ? Math.round(seconds * 1000)
      : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    source.destroy();
  }
}
