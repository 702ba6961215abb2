import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { Bus } from '@chat/bus';
import { AppError, createLogger } from '@chat/core';
import { stackEnv } from '../support/stack-env.js';
import { waitFor } from '../support/wait.js';

/**
 * Calls made in one turn of the event loop leave as one message per queue, and replies
 * finished in one turn as one message per caller: each call still gets its own answer.
 */
describe('RPC batches', () => {
  const namespace = `tbatch${randomBytes(4).toString('hex')}.`;
  const log = createLogger({ service: 'test', level: 'silent' });
  const { AMQP_URL } = stackEnv();
  const meta = { requestId: 't' };
  let caller: Bus;
  let server: Bus;
  let raw: ChannelModel;

  before(async () => {
    caller = await Bus.connect({ url: AMQP_URL, service: 'caller', log, namespace });
    server = await Bus.connect({ url: AMQP_URL, service: 'server', log, namespace });
    raw = await connect(AMQP_URL);
  });

  after(async () => {
    await caller.close();
    await server.close();
    const ch = await raw.createChannel();
    for (const queue of ['rpc.echo.shared', 'rpc.rawecho.shared'])
      await ch.deleteQueue(`${namespace}${queue}`);
    for (const exchange of ['user_events', 'chat_events', 'dlx'])
      await ch.deleteExchange(`${namespace}${exchange}`);
    await raw.close();
  });

  test('calls of one turn travel as one message; each gets its own answer from the replies', async () => {
    const queue = caller.names.rpcQueue('rawecho');
    const ch = await raw.createChannel();
    await ch.assertQueue(queue, { durable: false });
    const delivered: ConsumeMessage[] = [];
    await ch.consume(queue, (msg) => msg && delivered.push(msg), { noAck: true });
    const calls = Array.from({ length: 60 }, (_, n) =>
      caller
        .call({ service: 'rawecho', partition: null }, 'echo.twice', { n }, meta, 5_000)
        .catch((e: unknown) => e),
    );
    await waitFor('the requests', () => delivered.length > 0);
    const [batch] = delivered;
    assert.equal(delivered.length, 1, 'sixty calls of one turn: one message');
    assert.equal(batch!.properties.headers?.['x-batch'], 60);
    const { requests } = JSON.parse(batch!.content.toString()) as {
      requests: Array<{ id: string; request: { method: string; input: { n: number } } }>;
    };
    assert.deepEqual(
      requests.map((r) => r.request.input.n),
      Array.from({ length: 60 }, (_, n) => n),
      'in the order they were made',
    );
    assert.ok(requests.every((r) => r.request.method === 'echo.twice'));
    // Answered out of order, in two messages (a batch and a lone reply), odd ones failing.
    const reply = (r: (typeof requests)[number]) => ({
      id: r.id,
      reply:
        r.request.input.n % 2
          ? { ok: false, error: { code: 'CONFLICT', message: `odd ${r.request.input.n}` } }
          : { ok: true, data: r.request.input.n * 2 },
    });
    const [last, ...rest] = [...requests].reverse();
    ch.sendToQueue(
      batch!.properties.replyTo as string,
      Buffer.from(JSON.stringify({ replies: rest.map(reply) })),
      { headers: { 'x-batch': rest.length } },
    );
    ch.sendToQueue(
      batch!.properties.replyTo as string,
      Buffer.from(JSON.stringify(reply(last!).reply)),
      { correlationId: last!.id },
    );
    const answers = await Promise.all(calls);
    answers.forEach((answer, n) => {
      if (n % 2 === 0) assert.equal(answer, n * 2);
      else {
        assert.ok(answer instanceof AppError, String(answer));
        assert.equal(answer.code, 'CONFLICT');
        assert.equal(answer.message, `odd ${n}`);
      }
    });
    await ch.close();
  });

  test('a served batch: every request handled, answers and errors each to its own caller', async () => {
    let deliveries = 0;
    await server.serve({
      service: 'echo',
      dispatch: async (method, input) => {
        deliveries++;
        const { n } = input as { n: number };
        // Finishing in different turns: replies leave in several messages.
        await new Promise((r) => setTimeout(r, n % 3));
        if (n % 5 === 0) throw new AppError('BAD_REQUEST', `no ${n}`);
        return { method, twice: n * 2 };
      },
    });
    const answers = await Promise.all(
      Array.from({ length: 150 }, (_, n) =>
        caller
          .call({ service: 'echo', partition: null }, 'echo.twice', { n }, meta, 5_000)
          .catch((e: unknown) => e),
      ),
    );
    assert.equal(deliveries, 150, 'each request handled once');
    answers.forEach((answer, n) => {
      if (n % 5 === 0) {
        assert.ok(answer instanceof AppError, String(answer));
        assert.equal(answer.code, 'BAD_REQUEST');
        assert.equal(answer.message, `no ${n}`);
      } else assert.deepEqual(answer, { method: 'echo.twice', twice: n * 2 });
    });
  });

  test('a batch nobody can take fails every call with SERVICE_UNAVAILABLE at once', async () => {
    const started = Date.now();
    const errors = await Promise.all(
      Array.from({ length: 20 }, () =>
        caller.call({ service: 'nobody', partition: null }, 'x.y', {}, meta, 4_000).then(
          () => assert.fail('a call succeeded'),
          (e: unknown) => e,
        ),
      ),
    );
    for (const err of errors) {
      assert.ok(err instanceof AppError, String(err));
      assert.equal(err.code, 'SERVICE_UNAVAILABLE', err.message);
    }
    assert.ok(Date.now() - started < 4_000, 'answered before the timeout');
  });
});
