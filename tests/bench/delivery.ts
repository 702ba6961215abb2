/**
 * Delivery benchmark: N signed-in SDK clients, each subscribed to events.stream,
 * send M messages in total at a fixed rate to their neighbour; prints the send
 * round trip and the send → message.new delivery latency (p50/p95/p99), the
 * achieved throughput and the services' memory. Figures only: no assertions.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TestSystem, type TestUser } from '../support/system.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '20' },
    messages: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    gateways: { type: 'string', default: '2' },
    /** Processes per worker role. */
    replicas: { type: 'string', default: '1' },
    /** Clients connect through NGINX (deploy/nginx.conf's rules) instead of to each gateway. */
    nginx: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(values.clients);
const MESSAGES = Number(values.messages);
const RATE = Number(values.rate);
const GATEWAYS = Number(values.gateways);
const REPLICAS = Number(values.replicas);
const NGINX = values.nginx;

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

function rssMb(pid: number | undefined): string {
  if (!pid) return '?';
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return line ? `${(Number(line[1]) / 1024).toFixed(0)} MB` : '?';
  } catch {
    return '?';
  }
}

async function main() {
  console.log(
    `clients=${CLIENTS} messages=${MESSAGES} rate=${RATE}/s gateways=${GATEWAYS} ` +
      `worker replicas=${REPLICAS}${NGINX ? ' via nginx' : ''}`,
  );
  const system = await TestSystem.start({
    gateways: GATEWAYS,
    workerReplicas: REPLICAS,
    nginx: NGINX,
    workers: ['auth', 'user', 'chat', 'notification'],
    env: { LOG_LEVEL: 'warn', RATE_SEND_PER_USER: '1000000', RATE_TYPING_PER_USER: '1000000' },
  });
  try {
    const users: TestUser[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      users.push(await system.user({ url: NGINX ? system.url : system.urls[i % GATEWAYS]! }));
    }
    const conversations = await Promise.all(
      users.map((u, i) =>
        u.client.api.chat.openDirect.mutate({ userId: users[(i + 1) % CLIENTS]!.id }),
      ),
    );

    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let delivered = 0;
    const subscriptions = users.map((u) =>
      u.client.api.events.stream.subscribe(
        {},
        {
          onData(item) {
            const event = 'data' in item ? item.data : item;
            if (event.type !== 'message.new' || event.message.senderId === u.id) return;
            const t0 = sentAt.get(event.message.clientId);
            if (t0 !== undefined) {
              latencies.push(performance.now() - t0);
              delivered++;
            }
          },
        },
      ),
    );
    await new Promise((r) => setTimeout(r, 1000)); // let every socket connect and go live

    const sendTimes: number[] = [];
    let failed = 0;
    const started = performance.now();
    const inflight: Promise<void>[] = [];
    for (let n = 0; n < MESSAGES; n++) {
      const due = started + (n * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const i = n % CLIENTS;
      const clientId = randomUUID();
      const t0 = performance.now();
      sentAt.set(clientId, t0);
      inflight.push(
        users[i]!.client.api.chat.send.mutate({
          conversationId: conversations[i]!.id,
          clientId,
          content: `bench message ${n}`,
        }).then(
          () => void sendTimes.push(performance.now() - t0),
          () => void failed++,
        ),
      );
    }
    await Promise.all(inflight);
    const deadline = performance.now() + 15_000;
    while (delivered < MESSAGES - failed && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const elapsed = (performance.now() - started) / 1000;
    subscriptions.forEach((s) => s.unsubscribe());

    latencies.sort((a, b) => a - b);
    sendTimes.sort((a, b) => a - b);
    console.log('\nResults');
    console.log(`  sent ok:            ${MESSAGES - failed} / ${MESSAGES} (${failed} failed)`);
    console.log(
      `  delivered:          ${delivered} in ${elapsed.toFixed(1)} s → ${(delivered / elapsed).toFixed(0)} msg/s`,
    );
    console.log(
      `  send round trip:    p50 ${fmt(percentile(sendTimes, 50))}  p95 ${fmt(percentile(sendTimes, 95))}  p99 ${fmt(percentile(sendTimes, 99))}`,
    );
    console.log(
      `  delivery latency:   p50 ${fmt(percentile(latencies, 50))}  p95 ${fmt(percentile(latencies, 95))}  p99 ${fmt(percentile(latencies, 99))}`,
    );
    const procs = [...system.gateways, ...system.workerProcesses];
    console.log(
      `  memory (RSS):       ${procs.map((p) => `${p.name} ${rssMb(p.pid)}`).join(', ')}`,
    );
  } finally {
    await system.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
