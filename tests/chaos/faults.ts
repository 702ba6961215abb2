import type { PrivateStack, ServerName } from './private-stack.js';
import type { ServiceName, Services } from './services.js';

/** One fault: take a part away (crash or clean stop), later bring it back. */
export interface Fault {
  /** As given to --faults: `chat`, `chat:stop`, `redis`, … */
  id: string;
  label: string;
  /** Runs when the phase starts (a quarter of the streams just went offline). */
  prepare?(): void;
  inject(): Promise<void>;
  restore(): Promise<void>;
}

const SERVICES: Record<ServiceName, string> = {
  chat: 'chat worker',
  notification: 'notification worker',
  user: 'user worker',
  auth: 'auth worker',
  gateway: 'gateway',
};
const SERVERS: Record<ServerName, string> = {
  rabbitmq: 'RabbitMQ',
  redis: 'Redis',
  ferretdb: 'FerretDB',
  postgres: 'PostgreSQL',
};

/**
 * Every part crashed in order (the default of --short), plus a Redis crash that loses the
 * writes of the phase (with AOF a plain kill -9 loses next to nothing, yet whatever Redis
 * loses, a resuming client must learn of it).
 */
const CRASHES = [
  'chat',
  'notification',
  'user',
  'auth',
  'gateway',
  'rabbitmq',
  'redis',
  'redis:rollback',
  'ferretdb',
  'postgres',
];
/** The full run adds clean stops where they take a different path (drain, shutdown, fsync). */
export const DEFAULT_FAULTS = [
  'chat',
  'chat:stop',
  'notification',
  'notification:stop',
  'user',
  'auth',
  'gateway',
  'gateway:stop',
  'rabbitmq',
  'rabbitmq:stop',
  'redis',
  'redis:stop',
  'redis:rollback',
  'ferretdb',
  'postgres',
  'postgres:stop',
];
export const SHORT_FAULTS = CRASHES;
export const KNOWN_FAULTS = [
  ...[...Object.keys(SERVICES), ...Object.keys(SERVERS)].flatMap((p) => [p, `${p}:stop`]),
  'redis:rollback',
];

/** `store` stands for FerretDB and PostgreSQL under it; unknown names throw. */
export function parseFaults(list: string): string[] {
  const ids = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((id) =>
      id === 'store'
        ? ['ferretdb', 'postgres']
        : id === 'store:stop'
          ? ['ferretdb:stop', 'postgres:stop']
          : [id],
    );
  const unknown = ids.filter((id) => !KNOWN_FAULTS.includes(id));
  if (unknown.length)
    throw new Error(
      `unknown fault ${unknown.join(', ')}; known: ${KNOWN_FAULTS.join(', ')}, store`,
    );
  return ids;
}

export function makeFault(id: string, services: Services, stack: PrivateStack): Fault {
  const [part, mode] = id.split(':') as [string, string | undefined];
  const clean = mode === 'stop';
  if (part in SERVICES) {
    const name = part as ServiceName;
    return {
      id,
      label: `${SERVICES[name]} ${clean ? 'SIGTERM' : 'kill -9'}`,
      inject: () => services.stop(name, clean ? 'SIGTERM' : 'SIGKILL'),
      restore: () => Promise.resolve(services.restart(name)),
    };
  }
  const server = part as ServerName;
  if (mode === 'rollback')
    return {
      id,
      label: 'Redis kill -9, losing the phase',
      prepare: () => stack.keepRedisFiles(),
      inject: async () => {
        await stack.crash('redis');
        stack.rollBackRedisFiles();
      },
      restore: () => stack.up(),
    };
  return {
    id,
    label: `${SERVERS[server]} ${clean ? 'stop' : 'kill -9'}`,
    inject: () => (clean ? stack.stop(server) : stack.crash(server)),
    restore: () => stack.up(),
  };
}
