// The RabbitMQ choices under the send path, measured on the broker the stack runs:
// an RPC round trip (request + reply) and a confirmed event publish, one at a time (latency)
// and many at once (throughput). Prints a table; asserts nothing.
//   node --import tsx tests/bench/transport.ts [--samples 2000]
import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { stackEnv } from '../support/stack-env.js';
import { listenerOf, readStat, ticksPerSecond } from './proc.js';

const samplesAt = process.argv.indexOf('--samples');
const samples = samplesAt === -1 ? 2000 : Number(process.argv[samplesAt + 1]);
if (!Number.isInteger(samples) || samples < 1)
  throw new Error('--samples needs a positive integer');
const { AMQP_URL } = stackEnv();
const ns = `bench-transport-${randomUUID().slice(0, 8)}.`;
const payload = Buffer.from(
  JSON.stringify({ method: 'chat.send', input: { content: 'x'.repeat(200) } }),
);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

interface Row {
  what: string;
  p50: number;
  p99: number;
  perSecond: number;
  /** The broker's CPU per operation at a paced rate (null: its process was not found). */
  brokerCpuMs: number | null;
}

// What an operation costs the broker itself: PACED_RATE a second for PACED_SECONDS, started on
// a clock (not one after another), with the broker's CPU ticks from /proc around it.
const PACED_RATE = 400;
const PACED_SECONDS = 8;
const brokerPid = listenerOf(Number(new URL(stackEnv().AMQP_URL).port || 5672));
const brokerTicks = () => {
  const s = brokerPid === null ? null : readStat(brokerPid);
  return s ? s.utime + s.stime : null;
};
const rows: Row[] = [];

async function withConnection<T>(fn: (c: ChannelModel) => Promise<T>): Promise<T> {
  const conn = await connect(AMQP_URL, { noDelay: true });
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

/** One server answering on `queue`, one client calling it; latency one at a time, then 200 in flight. */
async function rpc(
  what: string,
  queueArgs: Record<string, unknown>,
  persistent: boolean,
  directReplyTo: boolean,
) {
  await withConnection(async (conn) => {
    const server = await conn.createChannel();
    const queue = `${ns}rpc.${rows.length}`;
    await server.assertQueue(queue, { durable: true, arguments: queueArgs });
    await server.prefetch(256);
    await server.consume(queue, (msg) => {
      if (!msg) return;
      server.publish('', msg.properties.replyTo as string, msg.content, {
        correlationId: msg.properties.correlationId as string,
      });
      server.ack(msg);
    });
    const client: Channel = await conn.createChannel();
    const pending = new Map<string, () => void>();
    let replyTo = 'amq.rabbitmq.reply-to';
    const onReply = (msg: { properties: { correlationId?: string } } | null) => {
      if (msg?.properties.correlationId) pending.get(msg.properties.correlationId)?.();
    };
    if (directReplyTo) await client.consume(replyTo, onReply, { noAck: true });
    else {
      replyTo = (await client.assertQueue('', { exclusive: true, autoDelete: true })).queue;
      await client.consume(replyTo, onReply, { noAck: true });
    }
    const call = () =>
      new Promise<void>((resolve) => {
        const id = randomUUID();
        pending.set(id, () => {
          pending.delete(id);
          resolve();
        });
        client.publish('', queue, payload, {
          correlationId: id,
          replyTo,
          persistent,
          expiration: '5000',
        });
      });
    await sweep(what, call);
    await server.deleteQueue(queue);
  });
}

/** Confirmed publishes to one bound queue (consumed and acked as they come). */
async function events(what: string, queueArgs: Record<string, unknown>) {
  await withConnection(async (conn) => {
    const exchange = `${ns}events`;
    const setup = await conn.createChannel();
    await setup.assertExchange(exchange, 'topic', { durable: true });
    const queue = `${ns}events.${rows.length}`;
    await setup.assertQueue(queue, { durable: true, arguments: queueArgs });
    await setup.bindQueue(queue, exchange, '#');
    await setup.prefetch(256);
    await setup.consume(queue, (msg) => msg && setup.ack(msg));
    const publisher: ConfirmChannel = await conn.createConfirmChannel();
    const publish = () =>
      new Promise<void>((resolve, reject) =>
        publisher.publish(exchange, 'p00.message.sent', payload, { persistent: true }, (err) =>
          err ? reject(err as Error) : resolve(),
        ),
      );
    await sweep(what, publish);
    await setup.deleteQueue(queue);
    await setup.deleteExchange(exchange);
  });
}

async function sweep(what: string, op: () => Promise<void>) {
  for (let i = 0; i < 100; i++) await op(); // warm-up
  const lat: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await op();
    lat.push(performance.now() - t);
  }
  const started = performance.now();
  const total = samples * 5;
  let next = 0;
  await Promise.all(
    Array.from({ length: 200 }, async () => {
      while (next++ < total) await op();
    }),
  );
  const perSecond = total / ((performance.now() - started) / 1000);
  const brokerCpuMs = await paced(op);
  rows.push({ what, p50: pct(lat, 50), p99: pct(lat, 99), perSecond, brokerCpuMs });
  console.log(
    `${what.padEnd(58)} p50 ${fmt(pct(lat, 50))}  p99 ${fmt(pct(lat, 99))}  ${Math.round(perSecond)}/s  broker ${brokerCpuMs === null ? '?' : fmt(brokerCpuMs)}/op`,
  );
}

/** Broker CPU milliseconds per operation, PACED_RATE operations a second. */
async function paced(op: () => Promise<void>): Promise<number | null> {
  const before = brokerTicks();
  const total = PACED_RATE * PACED_SECONDS;
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / PACED_RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(op());
  }
  await Promise.all(inFlight);
  const after = brokerTicks();
  if (before === null || after === null) return null;
  return (((after - before) / ticksPerSecond()) * 1000) / total;
}

const quorum = { 'x-queue-type': 'quorum' };
const classic = { 'x-queue-type': 'classic' };
console.log(
  `RabbitMQ at ${AMQP_URL.replace(/\/\/[^@]*@/, '//')}, ${samples} samples each, 200 in flight for throughput`,
);
await rpc('RPC: quorum queue, persistent request (phase 1)', quorum, true, false);
await rpc('RPC: classic queue, transient request (chosen)', classic, false, false);
await rpc('RPC: classic queue, transient, direct reply-to', classic, false, true);
await events('event: quorum queue, persistent, confirmed (chosen)', quorum);
await events('event: classic queue, persistent, confirmed', classic);
console.log(
  `\n| what | p50 | p99 | per second (200 in flight) | broker CPU per operation (${PACED_RATE}/s) |\n| --- | --- | --- | --- | --- |`,
);
for (const r of rows)
  console.log(
    `| ${r.what} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${Math.round(r.perSecond)} | ${r.brokerCpuMs === null ? '?' : fmt(r.brokerCpuMs)} |`,
  );
