import { AppError, type Logger, type RequestMeta } from '@chat/core';
import { isDuplicateKeyError, type AuthModels } from '@chat/db';
import type { DomainEvents } from '@chat/bus';
import type {
  LoginInput,
  Me,
  RpcCaller,
  RegisterInput,
  Session,
  UserCreatedEvent,
} from '@chat/api';
import type { Passwords } from './passwords.js';
import type { Sessions } from './sessions.js';

export interface AccountsDeps {
  models: AuthModels;
  passwords: Passwords;
  sessions: Sessions;
  events: DomainEvents;
  rpc: RpcCaller;
}

const WRONG_LOGIN = 'Invalid username/email or password';

/** Sign-up and sign-in; the profile side is asked of the user worker. */
export class Accounts {
  constructor(private readonly deps: AccountsDeps) {}

  async register(input: RegisterInput, meta: RequestMeta, log: Logger): Promise<Session> {
    const { User } = this.deps.models;
    // A cheap pre-check answers the common case before paying for bcrypt; the unique indexes settle races.
    await this.assertAvailable(input.username, input.email);
    const passwordHash = await this.deps.passwords.hash(input.password);
    let user;
    try {
      user = await User.create({ username: input.username, email: input.email, passwordHash });
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        await this.assertAvailable(input.username, input.email);
        throw new AppError('CONFLICT', 'Username or email is already taken');
      }
      throw err;
    }
    const id = user._id.toString();
    log.info({ userId: id }, 'user registered');
    const created: UserCreatedEvent = {
      id,
      username: user.username,
      email: user.email,
      createdAt: user.createdAt.toISOString(),
    };
    await this.publishCreated(created, meta, log);
    const me = await this.provisionProfile(created, meta, log);
    const tokens = await this.deps.sessions.start(id);
    return { user: me, ...tokens };
  }

  async login(input: LoginInput, meta: RequestMeta, log: Logger): Promise<Session> {
    const filter = input.identifier.includes('@')
      ? { email: input.identifier }
      : { username: input.identifier };
    const user = await this.deps.models.User.findOne(filter).lean();
    const ok = await this.deps.passwords.verify(input.password, user?.passwordHash);
    if (!ok || !user) throw new AppError('UNAUTHORIZED', WRONG_LOGIN);
    const id = user._id.toString();
    const tokens = await this.deps.sessions.start(id);
    await this.deps.events
      .publish(
        'user_events',
        'user.login',
        { id, at: new Date().toISOString(), ip: meta.ip ?? null },
        meta,
      )
      .catch((err: unknown) =>
        log.warn({ err: (err as Error).message }, 'user.login not published'),
      );
    const me = await this.fetchMe(
      id,
      { id, username: user.username, email: user.email, createdAt: '' },
      meta,
      log,
    );
    log.info({ userId: id }, 'user logged in');
    return { user: me, ...tokens };
  }

  /** Republishes `user.created` for users whose event never got confirmed (broker was down). */
  async sweepOutbox(log: Logger): Promise<void> {
    const pending = await this.deps.models.User.find({ createdEventPending: true })
      .limit(100)
      .lean();
    for (const user of pending) {
      const event = {
        id: user._id.toString(),
        username: user.username,
        email: user.email,
        createdAt: user.createdAt.toISOString(),
      };
      await this.publishCreated(event, { requestId: `outbox-${event.id}` }, log);
    }
  }

  /**
   * Two equality lookups, not one `$or`: MongoDB serves either from its unique index, but the
   * dev store (FerretDB) pushes no `$or` down and would read every user per sign-up.
   */
  private async assertAvailable(username: string, email: string): Promise<void> {
    const { User } = this.deps.models;
    const [byName, byEmail] = await Promise.all([
      User.exists({ username }),
      User.exists({ email }),
    ]);
    if (byName) throw new AppError('CONFLICT', 'Username is already taken');
    if (byEmail) throw new AppError('CONFLICT', 'Email is already registered');
  }

  private async publishCreated(
    event: UserCreatedEvent,
    meta: RequestMeta,
    log: Logger,
  ): Promise<void> {
    try {
      await this.deps.events.publish('user_events', 'user.created', event, meta);
      await this.deps.models.User.updateOne(
        { _id: event.id },
        { $set: { createdEventPublishedAt: new Date() }, $unset: { createdEventPending: 1 } },
      );
    } catch (err) {
      log.warn(
        { userId: event.id, err: (err as Error).message },
        'user.created not published yet; outbox will retry',
      );
    }
  }

  /** Creates the profile now so `user.me` works right after sign-up; the event does it too, idempotently. */
  private async provisionProfile(
    user: UserCreatedEvent,
    meta: RequestMeta,
    log: Logger,
  ): Promise<Me> {
    try {
      const input = { id: user.id, username: user.username, email: user.email };
      return await this.deps.rpc('user.provision', input, { ...meta, userId: user.id });
    } catch (err) {
      log.warn(
        { err: (err as Error).message },
        'user worker unavailable; answering with a default profile',
      );
      return defaultMe(user);
    }
  }

  private async fetchMe(
    id: string,
    fallback: UserCreatedEvent,
    meta: RequestMeta,
    log: Logger,
  ): Promise<Me> {
    try {
      return await this.deps.rpc('user.me', {}, { ...meta, userId: id });
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND')
        return this.provisionProfile(fallback, meta, log);
      log.warn(
        { err: (err as Error).message },
        'user worker unavailable; answering with a default profile',
      );
      return defaultMe(fallback);
    }
  }
}

function defaultMe(user: Pick<UserCreatedEvent, 'id' | 'username' | 'email'>): Me {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    displayName: user.username,
    avatar: null,
    bio: '',
    status: 'offline',
    lastSeen: null,
  };
}
