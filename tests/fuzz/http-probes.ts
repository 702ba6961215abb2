import { rawExchange, request } from '../support/raw-http.js';
import type { Tally } from './tally.js';

interface Probe {
  name: string;
  chunks: Array<string | Buffer>;
  /** The probe is not a complete request: the server may rightly wait for the rest. */
  incomplete?: boolean;
}

const json = ['Content-Type: application/json'];
const upgrade = (extra: string[] = []) => [
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Version: 13',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  ...extra,
];
/** A raw upgrade request (the `request` helper adds `Connection: close`, which ws refuses). */
const upgradeRequest = (path: string, headers: string[], host = '127.0.0.1') =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${headers.join('\r\n')}\r\n\r\n`;

/** Hand-written malformed HTTP: bad methods, URLs, bodies, headers, framing and upgrades. */
function probes(token: string): Probe[] {
  const auth = [`Authorization: Bearer ${token}`];
  const list: Probe[] = [];
  const add = (name: string, ...chunks: Array<string | Buffer>) => list.push({ name, chunks });
  const addIncomplete = (name: string, chunk: string) =>
    list.push({ name, chunks: [chunk], incomplete: true });

  for (const method of ['TRACE', 'PUT', 'DELETE', 'PATCH', 'PROPFIND', 'FOO', 'HEAD', 'OPTIONS'])
    for (const path of ['/trpc/user.me', '/trpc/auth.login', '/trpc', '/', '/health'])
      add(`method ${method} ${path}`, request(method, path, auth));

  for (const path of [
    '/trpc/%E0%A4%A',
    '/trpc/%',
    '/trpc/%zz',
    '/trpc/user.me?input=%E0%A4%A',
    '/trpc/user.me?input=%7B',
    '/trpc/user.me?input=',
    '/trpc/user.me?input=null',
    '/trpc/user.me?batch=1&input=%7B%7D',
    '/trpc/user.me?batch=1&input=%5B%5D',
    '/trpc/user.me?batch=x',
    '/%E0%A4%A',
    '/assets/%E0%A4%A',
    '/trpc/..%2f..%2fetc%2fpasswd',
    '/..%2f..%2fetc%2fpasswd',
    '/trpc/user.me%00',
    '/trpc/%00',
    `/trpc/${'a'.repeat(10_000)}`,
    `/trpc/${'user.me,'.repeat(60)}user.me?batch=1`,
    `/trpc/${'user.me,'.repeat(1500)}user.me?batch=1`,
    '/trpc/user.me,auth.login?batch=1',
    '/trpc/,,,?batch=1',
    '/trpc/__proto__',
    '/trpc/constructor',
    '/trpc/user.__proto__',
    '/trpc/user.toString',
    '/trpc/user.me/../auth.login',
    '//trpc/user.me',
    'http://evil.example/trpc/user.me',
    '*',
  ])
    add(`url GET ${path.slice(0, 60)}`, request('GET', path, auth));

  const login = (body: string | Buffer, headers = json) =>
    request('POST', '/trpc/auth.login', headers, body);
  for (const [name, body] of [
    ['broken json', '{'],
    ['empty', ''],
    ['null', 'null'],
    ['array', '[]'],
    ['string', '"x"'],
    ['truncated', '{"identifier":'],
    ['deep arrays', '['.repeat(20_000) + ']'.repeat(20_000)],
    ['deep objects', '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000)],
    ['duplicate keys', '{"identifier":"a","identifier":"b","password":"xxxxxxxxxx"}'],
    ['proto key', '{"identifier":"a","password":"xxxxxxxxxx","__proto__":{"x":1}}'],
    ['NaN', '{"identifier":NaN,"password":"xxxxxxxxxx"}'],
    ['bom', '\ufeff{"identifier":"a","password":"xxxxxxxxxx"}'],
    ['over 64 KiB', `{"identifier":"${'x'.repeat(70_000)}","password":"x"}`],
  ] as const)
    add(`body ${name}`, login(body));
  add('body invalid utf-8', login(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])));
  add('batch body wrong shape', request('POST', '/trpc/auth.login?batch=1', json, '[1,2]'));
  add('batch body object of junk', request('POST', '/trpc/auth.login?batch=1', json, '{"0":5}'));

  const body = '{"identifier":"alice","password":"xxxxxxxxxx"}';
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=utf-16',
    'application/octet-stream',
    'application/jsonl',
  ])
    add(`content-type ${type}`, login(body, [`Content-Type: ${type}`]));
  add('no content-type', login(body, []));
  add(
    'multipart body',
    login('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n', [
      'Content-Type: multipart/form-data; boundary=x',
    ]),
  );

  add('header 20 KB', request('GET', '/trpc/user.me', [`X-Big: ${'x'.repeat(20_000)}`]));
  add(
    '500 headers',
    request(
      'GET',
      '/trpc/user.me',
      Array.from({ length: 500 }, (_, i) => `X-H${i}: ${i}`),
    ),
  );
  add('header with NUL', request('GET', '/trpc/user.me', ['X-Bad: a\u0000b']));
  add('header name with space', request('GET', '/trpc/user.me', ['X Bad: a']));
  add(
    'content-length -1',
    'POST /trpc/auth.login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}',
  );
  add(
    'content-length abc',
    'POST /trpc/auth.login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}',
  );
  add(
    'two content-lengths',
    'POST /trpc/auth.login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
  );
  addIncomplete(
    'content-length larger than body',
    'POST /trpc/auth.login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{}',
  );
  add(
    'bad chunk size',
    'POST /trpc/auth.login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  );
  add(
    'chunked and content-length',
    'POST /trpc/auth.login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
  );
  add('gzip garbage', login('not gzip at all', [...json, 'Content-Encoding: gzip']));
  add('expect 100-continue', login(body, [...json, 'Expect: 100-continue']));
  add('expect junk', login(body, [...json, 'Expect: 417-nonsense']));
  add('host [', 'GET /trpc/user.me HTTP/1.1\r\nHost: [\r\nConnection: close\r\n\r\n');
  add('host with spaces', 'GET /trpc/user.me HTTP/1.1\r\nHost: a b c\r\nConnection: close\r\n\r\n');
  add('no host', 'GET /trpc/user.me HTTP/1.1\r\nConnection: close\r\n\r\n');
  add(
    'authorization huge',
    request('GET', '/trpc/user.me', [`Authorization: Bearer ${'x'.repeat(8_000)}`]),
  );
  add('authorization basic', request('GET', '/trpc/user.me', ['Authorization: Basic YTpi']));
  add(
    'authorization bearer with spaces',
    request('GET', '/trpc/user.me', ['Authorization: Bearer a b']),
  );
  add(
    'x-request-id weird',
    request('GET', '/trpc/user.me', [...auth, 'X-Request-Id: ../../\u00ff']),
  );
  add('origin null', request('GET', '/trpc/user.me', [...auth, 'Origin: null']));
  add(
    'accept event-stream',
    request('GET', '/trpc/user.me', [...auth, 'Accept: text/event-stream']),
  );
  add(
    'trpc-accept jsonl',
    request('GET', '/trpc/user.me', [...auth, 'trpc-accept: application/jsonl']),
  );
  add(
    'subscription over http, bad input',
    request('GET', '/trpc/events.stream?input=%7B%22lastEventId%22%3A5%7D', auth),
  );
  add('mutation via GET', request('GET', '/trpc/auth.login?input=%7B%7D'));
  add('query via POST', request('POST', '/trpc/user.me', [...auth, ...json], '{}'));

  add('garbage request line', 'GARBAGE\r\n\r\n');
  add('http/9.9', 'GET /trpc/user.me HTTP/9.9\r\nHost: x\r\n\r\n');
  add('http/1.0 no host', 'GET /trpc/user.me HTTP/1.0\r\n\r\n');
  add('http/0.9', 'GET /trpc/user.me\r\n\r\n');
  addIncomplete('empty lines', '\r\n\r\n\r\n');
  add(
    'binary junk',
    Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
  );
  add(
    'pipelined',
    request('GET', '/health', []).toString() + request('TRACE', '/trpc/user.me').toString(),
  );

  add(
    'upgrade without key',
    upgradeRequest('/trpc', [
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
    ]),
  );
  add(
    'upgrade version 12',
    upgradeRequest('/trpc', [
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 12',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ]),
  );
  add('upgrade host [', upgradeRequest('/trpc', upgrade(), '['));
  add('upgrade host with spaces', upgradeRequest('/trpc', upgrade(), 'a b'));
  add('upgrade evil origin', upgradeRequest('/trpc', upgrade(['Origin: http://evil.example'])));
  add('upgrade origin null', upgradeRequest('/trpc', upgrade(['Origin: null'])));
  add('upgrade other path', upgradeRequest('/trpc/user.me', upgrade()));
  add('upgrade malformed path', upgradeRequest('/%E0%A4%A', upgrade()));
  add('upgrade malformed query', upgradeRequest('/trpc?connectionParams=%E0%A4%A', upgrade()));
  add(
    'upgrade h2c',
    upgradeRequest('/trpc', [
      'Upgrade: h2c',
      'Connection: Upgrade, HTTP2-Settings',
      'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA',
    ]),
  );
  add('upgrade with body', upgradeRequest('/trpc', upgrade(['Content-Length: 5'])) + 'hello');
  return list;
}

/** Sends every probe; answers are tallied as `raw <status>`. An upgrade that opens counts as 101. */
export async function runHttpProbes(
  port: number,
  token: string,
  tally: Tally,
  afterProbe: (name: string) => Promise<void>,
): Promise<void> {
  for (const probe of probes(token)) {
    tally.sent++;
    // An incomplete request waits for the rest: give it less time than real answers.
    const answer = await rawExchange(port, probe.chunks, {
      timeoutMs: probe.incomplete ? 1_500 : 5_000,
    });
    if (answer.timedOut) {
      tally.record('raw', probe.incomplete ? 'waits-for-rest' : 'no-answer');
      if (!probe.incomplete) tally.hang(`raw ${probe.name}`);
    } else {
      tally.record('raw', answer.status ?? 'closed');
      if (answer.status !== null && answer.status >= 500)
        tally.serverError(`raw ${answer.status}`, `${probe.name}: ${firstLine(answer.text)}`);
    }
    await afterProbe(`raw HTTP probe "${probe.name}"`);
  }
}

const firstLine = (text: string) => text.split('\r\n')[0] ?? '';

/**
 * Slowloris: a few connections trickle header lines; meanwhile the gateway must keep
 * answering others. Bounded by `seconds`; the trickling connections are then dropped.
 */
export async function runSlowloris(port: number, seconds: number, tally: Tally): Promise<void> {
  const lines = ['GET /health HTTP/1.1\r\n', 'Host: 127.0.0.1\r\n'];
  for (let i = 0; i < seconds * 4; i++) lines.push(`X-Slow-${i}: ${i}\r\n`);
  const slow = Array.from({ length: 5 }, () =>
    rawExchange(port, lines, { gapMs: 250, timeoutMs: seconds * 1000 }),
  );
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < 3; i++) {
    tally.sent++;
    const res = await fetch(`http://127.0.0.1:${port}/health`, {
      signal: AbortSignal.timeout(5_000),
    }).catch(() => null);
    tally.record('slowloris-bystander', res?.status ?? 'no-answer');
    if (!res) tally.hang('a /health request while slow clients trickle headers');
    await new Promise((r) => setTimeout(r, 300));
  }
  for (const answer of await Promise.all(slow)) {
    tally.sent++;
    tally.record(
      'slowloris',
      answer.status ?? (answer.timedOut ? 'still-open-at-bound' : 'closed'),
    );
  }
}
