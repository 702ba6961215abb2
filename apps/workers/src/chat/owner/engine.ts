import { AppError, type Logger } from '@chat/core';
import { PARTITIONS, partitionOf } from '@chat/api';
import type { ChatModels } from '@chat/db';
import { currentContext, withContext, type Context } from '@chat/tracing';
import { ConversationState, readConversation } from './state.js';

/**
 * A unit of work on one conversation. Commands of one conversation run one at a time in
 * arrival order; a run of consecutive commands of the same batchable kind runs as one
 * batch (many sends of a busy group: one insert, one update, one publish round).
 */
export interface Command<R = unknown> {
  /** Commands with the same kind (other than undefined) are batched together. */
  batch?: string;
  run?: (state: ConversationState | null) => Promise<R>;
  resolve: (value: R) => void;
  reject: (err: unknown) => void;
  /** The trace of the call that queued it (a batch runs in its first command's). */
  trace?: Context | undefined;
}

export type BatchRunner = (state: ConversationState, commands: Command[]) => Promise<void>;

/** Conversations kept in memory beyond those in use; the least recently used go first. */
const MAX_IDLE_CONVERSATIONS = 20_000;
const MAX_BATCH = 500;

/** What a cached conversation weighs: its members and the messages it remembers. */
const weightOf = (state: ConversationState | undefined) =>
  state ? state.members.size + state.recent.size : 0;

class Actor {
  queue: Command[] = [];
  running = false;
  /** undefined: not loaded, stale, or the conversation does not exist. */
  state: ConversationState | undefined = undefined;
  /** Its weight as last counted in the engine's total. */
  weight = 0;

  constructor(
    readonly id: string,
    readonly partition: number,
  ) {}
}

/**
 * The owner side of the chat worker: for every conversation of the partitions this process
 * owns (bus `serve` with partitions), it keeps the conversation's state in memory and runs
 * its commands serially — one writer per conversation, so FerretDB's non-atomic updates and
 * MongoDB's atomic ones give the same results, with no locks on the send path. When a
 * partition's consumer restarts, another replica may have owned it meanwhile: everything
 * cached for it is reloaded before the next command.
 */
export class OwnerEngine {
  private readonly actors = new Map<string, Actor>();
  private readonly generations = new Array<number>(PARTITIONS).fill(0);
  private readonly batchRunners = new Map<string, BatchRunner>();
  /** The sum of the cached conversations' weights (members + remembered messages). */
  private weight = 0;

  constructor(
    private readonly models: ChatModels,
    private readonly log: Logger,
    /** Runs once per load, before any command sees the state (crash repair). */
    private readonly onLoad: (state: ConversationState) => Promise<void>,
    /** Most members + remembered messages kept across idle conversations (see weightOf). */
    private readonly maxWeight = Number.POSITIVE_INFINITY,
  ) {}

  onBatch(kind: string, runner: BatchRunner): void {
    this.batchRunners.set(kind, runner);
  }

  /** This process (re)started consuming `partition`: its cached conversations may be stale. */
  resetPartition(partition: number): void {
    this.generations[partition] = (this.generations[partition] ?? 0) + 1;
  }

  /** Queues a batchable command (see onBatch); resolves with what the batch runner gives it. */
  enqueue<R>(conversationId: string, kind: string, payload: object): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.push(conversationId, {
        ...payload,
        batch: kind,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
    });
  }

  /** Runs `fn` alone on the conversation (null state: it does not exist). */
  run<R>(conversationId: string, fn: (state: ConversationState | null) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.push(conversationId, {
        run: fn,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
    });
  }

  /** Forgets the conversation (deleted, or its state can't be trusted after a failed write). */
  invalidate(state: ConversationState): void {
    const actor = this.actors.get(state.id);
    if (actor?.state === state) actor.state = undefined;
  }

  /**
   * Reads the conversation afresh (after a task created or rewrote it). Only from inside a
   * task running on that conversation.
   */
  async reload(conversationId: string): Promise<ConversationState | null> {
    const actor = this.actors.get(conversationId);
    if (!actor) return null;
    actor.state = undefined;
    return this.stateOf(actor);
  }

  get size(): number {
    return this.actors.size;
  }

  /** Members plus remembered messages across the cached conversations (see weightOf). */
  get cachedItems(): number {
    return this.weight;
  }

  private push(conversationId: string, command: Command): void {
    let actor = this.actors.get(conversationId);
    if (actor) {
      // Most recently used last (Map keeps insertion order): eviction takes the first.
      this.actors.delete(conversationId);
    } else {
      actor = new Actor(conversationId, partitionOf(conversationId));
    }
    this.actors.set(conversationId, actor);
    command.trace = currentContext();
    actor.queue.push(command);
    if (!actor.running) void this.drain(actor);
  }

  private async drain(actor: Actor): Promise<void> {
    actor.running = true;
    while (actor.queue.length > 0) {
      const first = actor.queue[0]!;
      const commands =
        first.batch === undefined ? [first] : takeWhileSameBatch(actor.queue, first.batch);
      actor.queue.splice(0, commands.length);
      try {
        // The loop runs in the context of whoever started it: each round in its own call's.
        await withContext(first.trace, () => this.runRound(actor, first, commands));
      } catch (err) {
        if (!(err instanceof AppError)) {
          // A write may have half happened: reload before the next command.
          actor.state = undefined;
          this.log.warn({ err, conversationId: actor.id }, 'owner command failed');
        }
        for (const c of commands) c.reject(err);
      }
    }
    actor.running = false;
    const weight = weightOf(actor.state);
    this.weight += weight - actor.weight;
    actor.weight = weight;
    this.evictIdle();
  }

  private async runRound(actor: Actor, first: Command, commands: Command[]): Promise<void> {
    const state = await this.stateOf(actor);
    if (first.batch === undefined) {
      first.resolve(await first.run!(state));
    } else {
      if (!state) throw new AppError('NOT_FOUND', 'Conversation not found');
      await this.batchRunners.get(first.batch)!(state, commands);
    }
  }

  private async stateOf(actor: Actor): Promise<ConversationState | null> {
    const generation = this.generations[actor.partition] ?? 0;
    if (actor.state?.generation === generation) return actor.state;
    const read = await readConversation(this.models, actor.id);
    // Not cached: it may be created (by its owner, this process) before the next command.
    if (!read) return null;
    const state = new ConversationState(
      read.row,
      new Map(read.members.map((m) => [m.userId, m])),
      generation,
    );
    await this.onLoad(state);
    actor.state = state;
    return state;
  }

  /** Drops idle conversations, least recently used first, while over either bound. */
  private evictIdle(): void {
    const over = () => this.actors.size > MAX_IDLE_CONVERSATIONS || this.weight > this.maxWeight;
    if (!over()) return;
    for (const [id, actor] of this.actors) {
      if (!over()) break;
      if (actor.running || actor.queue.length > 0) continue;
      this.actors.delete(id);
      this.weight -= actor.weight;
    }
  }
}

function takeWhileSameBatch(queue: Command[], kind: string): Command[] {
  let n = 0;
  while (n < queue.length && n < MAX_BATCH && queue[n]!.batch === kind) n++;
  return queue.slice(0, n);
}
