/**
 * Step 4: a large group, built through the public API (group.create + group.addMembers,
 * ≤ 255 ids per call); one message at a time, time until the first and the last
 * recipient has it. If the system refuses to grow the group, the refusal is reported
 * and the largest group it accepted is measured.
 */
import { sleep } from '../async.js';
import { cpuBetween, snapshotCpu, type CpuUsage, type ProcessGroup } from '../cpu-meter.js';
import { DeliveryTracker } from '../deliveries.js';
import { ApiCallError, callHttp, withRetries } from '../http-api.js';
import type { ConnectedUsers } from '../population.js';
import { summarize, type Summary } from '../stats.js';
import { sendTracked, tracedSample, type TracedSample } from './send.js';

export interface GroupResult {
  requested: number;
  members: number;
  /** Why the group stayed smaller than requested (the system's answer), if it did. */
  refusal: string | null;
  buildSeconds: number;
  messages: number;
  first: Summary;
  last: Summary;
  /** Messages some recipient did not get within the wait. */
  incomplete: number;
  errors: Record<string, number>;
  /** CPU of each process over the recorded messages, per message (ms). */
  cpuPerMessage: CpuUsage[];
}

interface Group {
  id: string;
  conversationId: string;
  members: Array<{ userId: string }>;
}

const PER_CALL = 255;
const WARM_UP = 2;
const COMPLETE_WAIT_MS = 30_000;

export async function measureGroup(
  users: ConnectedUsers,
  options: {
    size: number;
    messages: number;
    log: (line: string) => void;
    cpuGroups: readonly ProcessGroup[];
    /** Each recorded message's times, epoch milliseconds (to find its trace). */
    onSample?: (sample: TracedSample) => void;
  },
): Promise<GroupResult> {
  const owner = users.users[0]!;
  const wanted = users.users.slice(1, Math.min(options.size, users.size)).map((u) => u.id);
  const t0 = performance.now();
  const call = (procedure: string, input: unknown) =>
    withRetries(() =>
      callHttp<Group>(owner.url, procedure, input, { token: owner.token, timeoutMs: 60_000 }),
    );

  let group = await call('group.create', {
    name: 'bench group',
    memberIds: wanted.slice(0, PER_CALL),
  });
  let added = Math.min(PER_CALL, wanted.length);
  let refusal: string | null = null;
  while (added < wanted.length) {
    let chunk = wanted.slice(added, added + PER_CALL);
    try {
      group = await call('group.addMembers', { groupId: group.id, userIds: chunk });
      added += chunk.length;
      options.log(`  group: ${group.members.length} members`);
    } catch (err) {
      if (!(err instanceof ApiCallError) || err.code !== 'BAD_REQUEST') throw err;
      refusal ??= err.message;
      // Find how many more it still takes (halving), then stop growing.
      chunk = chunk.slice(0, Math.floor(chunk.length / 2));
      if (chunk.length === 0) break;
      try {
        group = await call('group.addMembers', { groupId: group.id, userIds: chunk });
        added += chunk.length;
      } catch (again) {
        if (!(again instanceof ApiCallError) || again.code !== 'BAD_REQUEST') throw again;
        wanted.splice(added + chunk.length); // nothing past this half fits either
      }
    }
  }
  const buildSeconds = (performance.now() - t0) / 1000;
  if (refusal) options.log(`  ! the system refused a larger group: ${refusal}`);
  options.log(`  group of ${group.members.length} members built in ${buildSeconds.toFixed(1)} s`);

  const memberIds = new Set(group.members.map((m) => m.userId));
  const recipients = new Set(
    users.users.filter((u) => u.index !== 0 && memberIds.has(u.id)).map((u) => u.index),
  );
  // Let the membership fan-out (conversation.updated to every member) pass first.
  await sleep(2_000);

  const tracker = new DeliveryTracker(users.size);
  users.handler = tracker.onEvent;
  const first: number[] = [];
  const last: number[] = [];
  const errors: Record<string, number> = {};
  let incomplete = 0;
  let lastLog = performance.now();
  let cpuBefore = snapshotCpu(options.cpuGroups);
  try {
    for (let k = 0; k < WARM_UP + options.messages; k++) {
      if (k === WARM_UP) cpuBefore = snapshotCpu(options.cpuGroups);
      const { tracked, answer } = sendTracked(
        users,
        tracker,
        0,
        group.conversationId,
        recipients,
        k,
      );
      const [result, complete] = await Promise.all([
        answer,
        tracker.waitComplete(tracked.clientId, COMPLETE_WAIT_MS),
      ]);
      if (k < WARM_UP) continue;
      if (!result.ok) errors[result.code] = (errors[result.code] ?? 0) + 1;
      if (tracked.firstAt !== null) first.push(tracked.firstAt - tracked.sentAt);
      if (complete) last.push(tracked.lastAt! - tracked.sentAt);
      else incomplete++;
      const sample = complete ? tracedSample(tracked) : null;
      if (sample) options.onSample?.(sample);
      if (performance.now() - lastLog > 5_000) {
        lastLog = performance.now();
        options.log(`  group: ${k - WARM_UP + 1}/${options.messages} messages`);
      }
      await sleep(50);
    }
  } finally {
    users.handler = null;
  }
  // Includes the 50 ms pauses between messages: processes idle then, so it barely counts.
  const cpuPerMessage = cpuBetween(
    options.cpuGroups,
    cpuBefore,
    snapshotCpu(options.cpuGroups),
  ).map((c) => ({ ...c, ms: c.ms === null ? null : c.ms / options.messages }));
  options.log(
    `  CPU per group message: ${cpuPerMessage
      .filter((c) => c.ms !== null && c.ms >= 0.05)
      .map((c) => `${c.name} ${c.ms!.toFixed(2)} ms`)
      .join(', ')}`,
  );
  return {
    requested: options.size,
    members: group.members.length,
    refusal,
    buildSeconds,
    messages: options.messages,
    first: summarize(first),
    last: summarize(last),
    incomplete,
    errors,
    cpuPerMessage,
  };
}
