import { createHmac, timingSafeEqual } from 'node:crypto';

export type FileVariant = 'file' | 'thumbnail';

/** Signatures stay the same for a window, so browsers cache the URL; valid ≥ one window. */
const WINDOW_S = 12 * 60 * 60;

export type SignatureCheck = 'valid' | 'expired' | 'invalid';

/**
 * Signed file URLs (`/files/<id>?exp=<unix s>&sig=<HMAC-SHA256>`): what `<img src>` and
 * `<video src>` can use without an Authorization header. Expiry falls on a window boundary
 * 12–24 h ahead, so the same file's URL doesn't change on every answer.
 */
export class FileUrlSigner {
  constructor(
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {}

  url(fileId: string, variant: FileVariant): string {
    const exp = (Math.floor(this.now() / 1000 / WINDOW_S) + 2) * WINDOW_S;
    const path = `/files/${fileId}${variant === 'thumbnail' ? '/thumbnail' : ''}`;
    return `${path}?exp=${exp}&sig=${this.sign(fileId, variant, exp)}`;
  }

  /** Checks `exp`/`sig` of a request for `fileId`'s `variant`: a forged one is `invalid`. */
  check(fileId: string, variant: FileVariant, exp: string, sig: string): SignatureCheck {
    if (!/^\d{1,12}$/.test(exp)) return 'invalid';
    const expected = Buffer.from(this.sign(fileId, variant, Number(exp)));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return Number(exp) * 1000 < this.now() ? 'expired' : 'valid';
  }

  private sign(fileId: string, variant: FileVariant, exp: number): string {
    return createHmac('sha256', this.secret)
      .update(`${fileId}\n${variant}\n${exp}`)
      .digest('base64url');
  }
}
