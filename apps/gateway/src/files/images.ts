import type { Readable } from 'node:stream';
import sharp from 'sharp';
import { THUMBNAIL_MAX_PX } from '@chat/api';

export interface ImageFacts {
  width: number;
  height: number;
  /** WebP, longest side ≤ THUMBNAIL_MAX_PX. */
  thumbnail: Buffer;
}

/** Decompression bombs stop here: 50 megapixels (a 8,660 × 5,773 photo) is plenty for chat. */
const MAX_INPUT_PIXELS = 50_000_000;

/**
 * Dimensions and a thumbnail of an uploaded image. libvips holds a whole image while it
 * decodes, so at most `concurrency` run at once per gateway: ten people sending photos at
 * the same moment queue here instead of multiplying the gateway's memory.
 */
export class ImageProcessor {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency = 1) {
    // One libvips thread per image is enough for thumbnails and keeps CPU for the sockets.
    sharp.concurrency(1);
    sharp.cache(false);
  }

  /** Null when the bytes don't decode as an image after all (they are served as a file). */
  async inspect(source: Readable): Promise<ImageFacts | null> {
    await this.acquire();
    try {
      const image = sharp({ limitInputPixels: MAX_INPUT_PIXELS, sequentialRead: true });
      source.on('error', (err) => image.destroy(err));
      source.pipe(image);
      const meta = await image.metadata();
      const width = meta.autoOrient?.width ?? meta.width;
      const height = meta.autoOrient?.height ?? meta.height;
      if (!width || !height) return null;
      const thumbnail = await image
        .rotate()
        .resize(THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 75 })
        .toBuffer();
      return { width, height, thumbnail };
    } catch {
      source.destroy();
      return null;
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
