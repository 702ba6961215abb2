import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { TestSystem } from '../support/system.js';
import { runHttpProbes, runSlowloris } from './http-probes.js';
import {
  caseArbitrary,
  sendHttp,
  sendWs,
  WsPool,
  type FuzzCase,
  type Target,
} from './procedure-fuzz.js';
import { listProcedures } from './procedures.js';
import type { KnownValues } from './schema-arbitrary.js';
import { Tally } from './tally.js';
import { runWsProbes } from './ws-probes.js';

export interface FuzzOptions {
  seconds: number;
  seed: number;
  /** Calls in flight at once over HTTP and over WebSocket. */
  httpConcurrency?: number;
  wsConcurrency?: number;
  log?: (line: string) => void;
}

/** Variables for the system under fuzz: limits high enough that the fuzz isn't only 429s. */
export const FUZZ_SYSTEM_ENV = {
  LOG_LEVEL: 'warn',
  RATE_SEND_PER_USER: '1000000',
  RATE_TYPING_PER_USER: '1000000',
  ACCESS_TOKEN_TTL_S: '86400',
  // A slow answer on a busy machine is not what the fuzz looks for: only a wrong one is.
  RPC_TIMEOUT_MS: '20000',
};

/** Users, a direct chat and a group with messages, so generated ids and cursors are real. */
async function prepare(system: TestSystem): Promise<Target> {
  const [a, b, c] = [await system.user(), await system.user(), await system.user()];
  const direct = await a.client.api.chat.openDirect.mutate({ userId: b.id });
  const group = await a.client.api.group.create.mutate({
    name: 'fuzz group',
    memberIds: [b.id, c.id],
  });
  const messageIds: string[] = [];
  for (const conversationId of [direct.id, group.conversationId]) {
    for (let i = 0; i < 3; i++) {
      const m = await a.client.api.chat.send.mutate({
        conversationId,
        clientId: randomUUID(),
        content: `hello ${i}`,
      });
      messageIds.push(m.id);
    }
  }
  const page = await a.client.api.chat.messages.query({ conversationId: direct.id, limit: 1 });
  const conversations = await a.client.api.chat.conversations.query({ limit: 1 });
  // Spare logins of c: the fuzzer may refresh or log them out without hurting a or b.
  const refreshTokens: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${system.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: c.username, password: c.password }),
    });
    const body = (await res.json()) as { result: { data: { refreshToken: string } } };
    refreshTokens.push(body.result.data.refreshToken);
  }
  const known: KnownValues = {
    userIds: [a.id, b.id, c.id],
    conversationIds: [direct.id, group.conversationId],
    groupIds: [group.id],
    messageIds,
    cursors: [page.nextCursor, conversations.nextCursor].filter((x): x is string => !!x),
    refreshTokens,
    eventIds: ['0-0', `${Date.now()}-0`],
  };
  const token = (u: typeof a) => u.client.session!.accessToken;
  return { url: system.url, tokens: { a: token(a), b: token(b) }, known };
}

/**
 * Every process still runs and answers /ready. A dead one is a crash: it is recorded with
 * what was just sent and its last log lines, then restarted so the run can go on.
 */
export async function checkAlive(system: TestSystem, tally: Tally, after: string): Promise<void> {
  const procs = [...system.gateways, ...Object.values(system.workers)].filter(
    (p) => p !== undefined,
  );
  for (const proc of procs) {
    const label = `${proc.name}`;
    if (!proc.running) {
      // Node prints an uncaught exception as plain text after the JSON log lines.
      const lastLines = proc
        .logs(40)
        .split('\n')
        .filter((l) => !l.startsWith('{'))
        .slice(-8)
        .join(' | ');
      tally.crashes.push(`${label} exited after ${after}: ${lastLines.slice(0, 600)}`);
      await system.restart(proc);
      continue;
    }
    let ready = false;
    for (let i = 0; i < 5 && !ready; i++) {
      ready = await fetch(system.readyUrl(proc), { signal: AbortSignal.timeout(3_000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready) await new Promise((r) => setTimeout(r, 1_000));
    }
    if (!ready) tally.crashes.push(`${label} not ready`);
  }
}

/** Fuzz cases drawn in chunks, reproducible from the seed. */
function* cases(target: Target, seed: number): Generator<FuzzCase> {
  const arbitrary = caseArbitrary(listProcedures(), target.known);
  for (let chunk = 0; ; chunk++) yield* fc.sample(arbitrary, { numRuns: 200, seed: seed + chunk });
}

/**
 * Runs the raw HTTP and WebSocket probes, then schema-derived inputs for every procedure
 * over HTTP and WebSocket until `seconds` pass, checking the processes along the way.
 */
export async function runFuzz(system: TestSystem, options: FuzzOptions): Promise<Tally> {
  const log = options.log ?? (() => undefined);
  const tally = new Tally();
  const deadline = Date.now() + options.seconds * 1000;
  const target = await prepare(system);
  const port = Number(new URL(system.url).port);

  // A crash is pinned on the probe that caused it: the gateway must still answer /health.
  const afterProbe = async (name: string) => {
    const alive = await fetch(`${system.url}/health`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (alive) return;
    for (let i = 0; i < 50 && system.gateways.every((g) => g.running); i++)
      await new Promise((r) => setTimeout(r, 100));
    await checkAlive(system, tally, name);
  };
  log('raw HTTP probes');
  await runHttpProbes(port, target.tokens.a, tally, afterProbe);
  log('WebSocket probes');
  await runWsProbes(system.url, target.tokens.a, tally, afterProbe);
  log('slow clients');
  await runSlowloris(port, 3, tally);
  await checkAlive(system, tally, 'the probes');

  log(`schema fuzz until the deadline (seed ${options.seed})`);
  const source = cases(target, options.seed);
  // One pool per WebSocket loop: one call in flight per connection (see WsConnection).
  const pools = Array.from({ length: options.wsConcurrency ?? 2 }, () => new WsPool(target));
  const next = () => source.next().value as FuzzCase;
  const loop = async (send: (c: FuzzCase) => Promise<void>) => {
    while (Date.now() < deadline) await send(next());
  };
  const monitor = async () => {
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5_000));
      await checkAlive(system, tally, 'schema-derived inputs');
      log(`  ${tally.sent} inputs, ${tally.fiveXX} 5xx, ${tally.crashes.length} crashes`);
    }
  };
  await Promise.all([
    ...Array.from({ length: options.httpConcurrency ?? 4 }, () =>
      loop((c) => sendHttp(target, c, tally)),
    ),
    ...pools.map((pool) => loop((c) => sendWs(pool, c, tally))),
    monitor(),
  ]);
  await Promise.all(pools.map((pool) => pool.close()));
  await checkAlive(system, tally, 'the last inputs');
  return tally;
}
