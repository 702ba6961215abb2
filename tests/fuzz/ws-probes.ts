import WebSocket from 'ws';
import type { Tally } from './tally.js';

interface Frame {
  name: string;
  data: string | Buffer;
  binary?: boolean;
}

const call = (id: unknown, method: string, path: string, input?: string) =>
  `{"id":${JSON.stringify(id)},"method":"${method}","params":{"path":${JSON.stringify(path)}${
    input === undefined ? '' : `,"input":${input}`
  }}}`;

/** Broken tRPC messages on a signed-in socket. */
function frames(): Frame[] {
  const list: Frame[] = [
    { name: 'broken json', data: '{' },
    { name: 'empty', data: '' },
    { name: 'null', data: 'null' },
    { name: 'number', data: '1' },
    { name: 'empty array', data: '[]' },
    { name: 'array of numbers', data: '[1,2]' },
    { name: 'no method', data: '{"id":1}' },
    { name: 'id null', data: call(null, 'query', 'user.me') },
    { name: 'id object', data: call({ a: 1 }, 'query', 'user.me') },
    { name: 'id huge', data: call('x'.repeat(10_000), 'query', 'user.me') },
    { name: 'unknown method', data: '{"id":1,"method":"nope","params":{"path":"user.me"}}' },
    { name: 'no params', data: '{"id":1,"method":"query"}' },
    { name: 'params null', data: '{"id":1,"method":"query","params":null}' },
    { name: 'path number', data: '{"id":1,"method":"query","params":{"path":5}}' },
    { name: 'path __proto__', data: call(2, 'query', '__proto__') },
    { name: 'path constructor', data: call(3, 'query', 'constructor') },
    { name: 'path toString', data: call(4, 'query', 'user.toString') },
    { name: 'subscription as query', data: call(5, 'query', 'events.stream') },
    { name: 'mutation as query', data: call(6, 'query', 'auth.login', '{}') },
    { name: 'query as subscription', data: call(7, 'subscription', 'user.me') },
    { name: 'stop unknown', data: '{"id":999,"method":"subscription.stop"}' },
    {
      name: 'subscription far future id',
      data: call(
        8,
        'subscription',
        'events.stream',
        '{"lastEventId":"99999999999999999999-99999999999999999999"}',
      ),
    },
    {
      name: 'subscription id 0-0',
      data: call(9, 'subscription', 'events.stream', '{"lastEventId":"0-0"}'),
    },
    {
      name: 'same subscription id twice',
      data: `[${call(10, 'subscription', 'events.stream')},${call(10, 'subscription', 'events.stream')}]`,
    },
    { name: 'jsonrpc field', data: `{"jsonrpc":"2.0",${call(11, 'query', 'user.me').slice(1)}` },
    { name: 'input NUL', data: call(12, 'mutation', 'user.updateProfile', '{"bio":"a\\u0000b"}') },
    {
      name: 'input lone surrogate',
      data: call(13, 'mutation', 'user.updateProfile', '{"bio":"a\\ud800b"}'),
    },
    { name: 'input NaN', data: call(14, 'query', 'chat.conversations', '{"limit":NaN}') },
    {
      name: 'input deep',
      data: call(15, 'query', 'user.byId', '['.repeat(10_000) + ']'.repeat(10_000)),
    },
    { name: 'connectionParams again', data: '{"method":"connectionParams","data":{"token":"x"}}' },
    { name: 'PONG unasked', data: 'PONG' },
    { name: 'binary junk', data: Buffer.from([0xff, 0xfe, 0x00, 0x01]), binary: true },
    { name: 'binary json', data: Buffer.from(call(16, 'query', 'user.me')), binary: true },
    { name: 'invalid utf-8 text', data: Buffer.from([0x7b, 0xff, 0x7d]) },
    {
      name: 'batch of 300',
      data: `[${Array.from({ length: 300 }, (_, i) => call(100 + i, 'query', 'user.me')).join(',')}]`,
    },
    { name: 'frame over 64 KiB', data: `{"id":1,"x":"${'x'.repeat(70_000)}"}` },
  ];
  return list;
}

interface Outcome {
  errors: Array<{ code: string; httpStatus: number }>;
  closeCode: number | null;
}

/** Opens a socket, sends the connection params then `frame`, and collects answers for a while. */
function exchange(
  url: string,
  token: string | null,
  first: string | null,
  frame: Frame | null,
  listenMs: number,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${url}?connectionParams=1`);
    const outcome: Outcome = { errors: [], closeCode: null };
    let quiet: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      clearTimeout(quiet);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(done, listenMs);
    socket.on('error', () => undefined);
    socket.on('open', () => {
      socket.send(first ?? JSON.stringify({ method: 'connectionParams', data: { token } }));
      if (frame) socket.send(frame.data, { binary: frame.binary ?? false });
    });
    socket.on('message', (data: Buffer) => {
      // Answers come at once: after the last one, a short quiet spell ends the exchange.
      clearTimeout(quiet);
      quiet = setTimeout(done, 150);
      try {
        const msgs = JSON.parse(data.toString()) as unknown;
        for (const msg of [msgs].flat() as Array<{
          error?: { data?: { code?: string; httpStatus?: number } };
        }>) {
          if (msg?.error)
            outcome.errors.push({
              code: msg.error.data?.code ?? 'UNKNOWN',
              httpStatus: msg.error.data?.httpStatus ?? 0,
            });
        }
      } catch {
        // PING / PONG
      }
    });
    socket.on('close', (code) => {
      outcome.closeCode = code;
      done();
    });
    socket.on('unexpected-response', (_req, res) => {
      outcome.closeCode = -(res.statusCode ?? 0);
      done();
    });
  });
}

/** Broken connection params and broken messages over tRPC's WebSocket. */
export async function runWsProbes(
  baseUrl: string,
  token: string,
  tally: Tally,
  afterProbe: (name: string) => Promise<void>,
): Promise<void> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/trpc`;
  const tallyOutcome = (name: string, outcome: Outcome) => {
    for (const e of outcome.errors) {
      tally.record('ws-probe', e.httpStatus, e.code);
      if (e.httpStatus >= 500) tally.serverError(`ws-probe ${e.code}`, name);
    }
    if (outcome.closeCode !== null) tally.record('ws-probe close', outcome.closeCode);
  };
  for (const params of [
    '{',
    '[]',
    'null',
    '{"method":"connectionParams","data":5}',
    '{"method":"connectionParams","data":{"token":5}}',
    '{"method":"connectionParams","data":{"__proto__":{"token":"x"}}}',
    `{"method":"connectionParams","data":{"token":"${'x'.repeat(60_000)}"}}`,
  ]) {
    tally.sent++;
    const name = `connection params ${params.slice(0, 40)}`;
    tallyOutcome(name, await exchange(url, null, params, null, 1_000));
    await afterProbe(`WebSocket probe "${name}"`);
  }
  for (const frame of frames()) {
    tally.sent++;
    tallyOutcome(frame.name, await exchange(url, token, null, frame, 1_000));
    await afterProbe(`WebSocket probe "${frame.name}"`);
  }
}
