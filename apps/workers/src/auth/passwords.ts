import bcrypt from 'bcryptjs';

export const MAX_PASSWORD_BYTES = 72;

/**
 * Password hashing. Unknown users are checked against a dummy hash of the same cost,
 * so "no such user" and "wrong password" take the same time.
 */
export class Passwords {
  private constructor(
    private readonly cost: number,
    private readonly dummyHash: string,
  ) {}

  static async create(cost: number): Promise<Passwords> {
    return new Passwords(cost, await bcrypt.hash('dummy-password-for-timing', cost));
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  /** False for an unknown user, a wrong password, or one bcrypt would truncate. */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const matches = await bcrypt.compare(password, hash ?? this.dummyHash);
    return (
      matches && hash !== undefined && Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES
    );
  }
}
