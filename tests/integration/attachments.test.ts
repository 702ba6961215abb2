import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createReadStream } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import sharp from 'sharp';
import type { Attachment, ClientEvent, Conversation, Message } from '@chat/api';
import { FileNotFoundError, FileUrlSigner, type FileStore } from '@chat/files';
import { TRPCClientError } from '@chat/sdk';
import { directPair } from '../support/direct-chat.js';
import { rejectsWith } from '../support/errors.js';
import { download, silentWav, TINY_PDF, uploadAs } from '../support/files.js';
import { scrape, total } from '../support/metrics.js';
import { rawExchange } from '../support/raw-http.js';
import { S3TestServer, startS3Bucket } from '../support/s3-server.js';
import { TestSystem, type TestUser } from '../support/system.js';
import { waitFor } from '../support/wait.js';

const FILE_URL_SECRET = `test-file-url-secret-${randomBytes(16).toString('hex')}`;
const MAX_BYTES = 2 * 1024 * 1024;

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .png()
    .toBuffer();

const sendWith = (u: TestUser, conversationId: string, attachments: string[], content = '') =>
  u.client.api.chat.send.mutate({
    conversationId,
    clientId: randomUUID(),
    content,
    ...(attachments.length > 0 ? { attachments } : {}),
  });

/** The file store the system under test uses, for the test's own look at stored bytes. */
interface Storage {
  env: Record<string, string>;
  /** Null for GridFS: the test reads its collections instead. */
  store: FileStore | null;
  stop(): Promise<void>;
}

function gridfs(): Promise<Storage> {
  return Promise.resolve({
    env: { FILE_STORAGE: 'gridfs' },
    store: null,
    stop: () => Promise.resolve(),
  });
}

async function s3(): Promise<Storage & { server: S3TestServer }> {
  const bucket = await startS3Bucket();
  return {
    server: bucket.server,
    store: bucket.store,
    env: bucket.env,
    stop: () => bucket.stop(),
  };
}

for (const [driver, open] of [
  ['GridFS on the dev store', gridfs],
  ['S3 on a real S3 server (moto)', s3],
] as const)
  describe(`attachments (${driver})`, () => {
    let storage: Storage;
    let system: TestSystem;
    let a: TestUser;
    let b: TestUser;
    let outsider: TestUser;
    let conversation: Conversation;
    let image: Attachment;

    before(async () => {
      storage = await open();
      system = await TestSystem.start({
        workers: ['auth', 'user', 'chat', 'notification'],
        env: {
          ...storage.env,
          FILE_URL_SECRET,
          FILE_MAX_BYTES: String(MAX_BYTES),
          UPLOAD_SWEEP_INTERVAL_MS: '500',
          RATE_SEND_PER_USER: '100000',
        },
      });
      ({ a, b, conversation } = await directPair(system));
      outsider = await system.user();
      const up = await uploadAs(system, a, conversation.id, await png(800, 600), {
        name: 'photo.png',
        contentType: 'image/png',
      });
      assert.equal(up.status, 201, JSON.stringify(up.json));
      image = up.json;
    });
    after(async () => {
      await system.stop();
      await storage.stop();
    });

    test('an image upload is detected from its bytes, measured and thumbnailed', async () => {
      assert.equal(image.kind, 'image');
      assert.equal(image.mime, 'image/png');
      assert.equal(image.name, 'photo.png');
      assert.equal(image.width, 800);
      assert.equal(image.height, 600);
      assert.ok(image.size > 0);
      assert.ok(image.thumbnailUrl);
      const thumb = await download(system, image.thumbnailUrl);
      assert.equal(thumb.status, 200);
      assert.equal(thumb.headers.get('content-type'), 'image/webp');
      const meta = await sharp(thumb.body).metadata();
      assert.equal(meta.format, 'webp');
      assert.ok(Math.max(meta.width ?? 0, meta.height ?? 0) <= 480);
      assert.equal(meta.width, 480);
    });

    test('a message with attachments: derived type, empty content, the partner sees it', async () => {
      const sent = await sendWith(a, conversation.id, [image.id]);
      assert.equal(sent.type, 'image');
      assert.equal(sent.content, '');
      assert.equal(sent.attachments.length, 1);
      assert.equal(sent.attachments[0]!.id, image.id);
      const page = await b.client.api.chat.messages.query({ conversationId: conversation.id });
      const seen = page.items.find((m) => m.id === sent.id);
      assert.ok(seen);
      assert.equal(seen.attachments[0]!.width, 800);
      // The partner's copy of the URL works without any header (as in <img src>).
      const file = await download(system, seen.attachments[0]!.url);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'image/png');
      assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
      assert.match(file.headers.get('content-disposition') ?? '', /^inline/);
      assert.equal(file.body.length, image.size);
      const [last] = (await b.client.api.chat.conversations.query({})).items;
      assert.equal(last?.lastMessage?.type, 'image');
    });

    test('who may read a file: every route × owner, member, outsider, no token, signatures', async () => {
      const bare = `/files/${image.id}`;
      for (const path of [bare, `${bare}/thumbnail`]) {
        assert.equal((await download(system, path, { user: a })).status, 200, `owner ${path}`);
        assert.equal((await download(system, path, { user: b })).status, 200, `member ${path}`);
        assert.equal(
          (await download(system, path, { user: outsider })).status,
          404,
          `outsider ${path}`,
        );
        assert.equal((await download(system, path)).status, 404, `no token ${path}`);
      }
      assert.equal((await download(system, image.url)).status, 200, 'signed');
      const tampered = image.url.replace(
        /sig=([^&]+)/,
        (_, s: string) => `sig=${s.slice(0, -2)}AA`,
      );
      assert.equal((await download(system, tampered)).status, 404, 'tampered signature');
      // A signature for the file doesn't open the thumbnail, nor another file.
      const swapped = image.url.replace(`/files/${image.id}`, `/files/${image.id}/thumbnail`);
      assert.equal((await download(system, swapped)).status, 404, 'signature of another variant');
      const yesterday = new FileUrlSigner(FILE_URL_SECRET, () => Date.now() - 3 * 86_400_000);
      const expired = await download(system, yesterday.url(image.id, 'file'));
      assert.equal(expired.status, 403, 'expired signature');
      const unknown = new FileUrlSigner(FILE_URL_SECRET).url(
        randomBytes(12).toString('hex'),
        'file',
      );
      assert.equal((await download(system, unknown)).status, 404, 'signed but no such file');
      assert.equal((await download(system, '/files/not-an-id', { user: a })).status, 404);
      const post = await download(system, bare, { user: a, method: 'DELETE' });
      assert.equal(post.status, 405);
    });

    test('who may upload: member yes; outsider, unknown conversation, no token no', async () => {
      const bytes = randomBytes(1000);
      assert.equal((await uploadAs(system, b, conversation.id, bytes)).status, 201);
      assert.equal((await uploadAs(system, outsider, conversation.id, bytes)).status, 404);
      const nowhere = randomBytes(12).toString('hex');
      assert.equal((await uploadAs(system, a, nowhere, bytes)).status, 404);
      assert.equal((await uploadAs(system, null, conversation.id, bytes)).status, 401);
      const missing = await uploadAs(system, a, null, bytes);
      assert.equal(missing.status, 400);
      assert.equal(missing.json.error?.data.code, 'BAD_REQUEST');
    });

    test('bad names and empty bodies are refused with a clear 400', async () => {
      const bytes = randomBytes(100);
      for (const name of [
        '../../etc/passwd',
        'a\\b.txt',
        'bell\u0007.txt',
        'x'.repeat(10_000),
        '',
      ]) {
        const answer = await uploadAs(system, a, conversation.id, bytes, { name });
        assert.equal(answer.status, 400, `name ${JSON.stringify(name.slice(0, 20))}`);
        assert.ok(answer.json.error?.message, 'a message says why');
      }
      const empty = await uploadAs(system, a, conversation.id, new Uint8Array(0));
      assert.equal(empty.status, 400);
      assert.match(empty.json.error?.message ?? '', /empty/i);
    });

    test('over the limit: 413 from Content-Length before the body, and while streaming', async () => {
      const token = a.client.session!.accessToken;
      const port = Number(new URL(system.url).port);
      const head =
        `POST /files?conversationId=${conversation.id}&name=big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Bearer ${token}\r\nContent-Type: application/octet-stream\r\n` +
        `Content-Length: ${MAX_BYTES + 1}\r\n\r\n`;
      // Only the headers and a few bytes are ever sent: the answer can't wait for the body.
      const early = await rawExchange(port, [head, 'abc'], { timeoutMs: 5_000 });
      assert.equal(early.status, 413, early.text.slice(0, 200));

      const streamed = await uploadAs(system, a, conversation.id, randomBytes(MAX_BYTES + 1000), {
        // No Content-Length: fetch sends a stream chunked.
        headers: {},
      }).catch((err: Error) => ({ status: -1, message: err.message }));
      assert.equal(streamed.status, 413);
    });

    test('a lying Content-Type and active content are served as downloads, never inline', async () => {
      const html = '<html><body><script>alert(1)</script></body></html>';
      const fake = await uploadAs(system, a, conversation.id, html, {
        name: 'cat.png',
        contentType: 'image/png',
      });
      assert.equal(fake.status, 201);
      assert.equal(fake.json.kind, 'file');
      assert.notEqual(fake.json.mime, 'image/png');
      assert.equal(fake.json.thumbnailUrl, null);
      const served = await download(system, fake.json.url);
      assert.match(served.headers.get('content-disposition') ?? '', /^attachment/);
      assert.doesNotMatch(served.headers.get('content-type') ?? '', /html/);
      assert.equal(served.headers.get('x-content-type-options'), 'nosniff');

      const svg = await uploadAs(
        system,
        a,
        conversation.id,
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        { name: 'logo.svg', contentType: 'image/svg+xml' },
      );
      assert.equal(svg.json.kind, 'file');
      const svgServed = await download(system, svg.json.url);
      assert.match(svgServed.headers.get('content-disposition') ?? '', /^attachment/);
      assert.doesNotMatch(svgServed.headers.get('content-type') ?? '', /svg|html|xml/);

      const pdf = await uploadAs(system, a, conversation.id, TINY_PDF, { name: 'report.pdf' });
      assert.equal(pdf.json.mime, 'application/pdf');
      assert.equal(pdf.json.kind, 'file');
      const pdfServed = await download(system, pdf.json.url);
      assert.match(
        pdfServed.headers.get('content-disposition') ?? '',
        /^attachment; filename="report.pdf"/,
      );
    });

    test('audio: kind and duration from the container; Range gives 206, past the end 416', async () => {
      const wav = silentWav(1500);
      const up = await uploadAs(system, a, conversation.id, wav, { name: 'voice.wav' });
      assert.equal(up.status, 201, JSON.stringify(up.json));
      assert.equal(up.json.kind, 'audio');
      assert.equal(up.json.durationMs, 1500);
      const part = await download(system, up.json.url, { headers: { range: 'bytes=10-19' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 10-19/${wav.length}`);
      assert.deepEqual(part.body, wav.subarray(10, 20));
      const tail = await download(system, up.json.url, { headers: { range: 'bytes=-4' } });
      assert.deepEqual(tail.body, wav.subarray(wav.length - 4));
      const past = await download(system, up.json.url, {
        headers: { range: `bytes=${wav.length}-` },
      });
      assert.equal(past.status, 416);
      assert.equal(past.headers.get('content-range'), `bytes */${wav.length}`);
      const sent = await sendWith(a, conversation.id, [up.json.id]);
      assert.equal(sent.type, 'audio');
    });

    test('chat.send refuses uploads that are not the sender’s, elsewhere, or used', async () => {
      const other = await directPair(system);
      const theirs = await uploadAs(system, b, conversation.id, randomBytes(10));
      await rejectsWith(sendWith(a, conversation.id, [theirs.json.id]), 'BAD_REQUEST');
      const elsewhere = await uploadAs(system, other.a, other.conversation.id, randomBytes(10));
      const inHere = await a.client.api.chat.openDirect.mutate({ userId: other.a.id });
      await rejectsWith(sendWith(other.a, inHere.id, [elsewhere.json.id]), 'BAD_REQUEST');
      await rejectsWith(
        sendWith(a, conversation.id, [randomBytes(12).toString('hex')]),
        'BAD_REQUEST',
      );

      const mine = await uploadAs(system, a, conversation.id, randomBytes(10));
      const clientId = randomUUID();
      const first = await a.client.api.chat.send.mutate({
        conversationId: conversation.id,
        clientId,
        content: 'with a file',
        attachments: [mine.json.id],
      });
      // The same send again (its answer was lost): the same message, not an error.
      const again = await a.client.api.chat.send.mutate({
        conversationId: conversation.id,
        clientId,
        content: 'with a file',
        attachments: [mine.json.id],
      });
      assert.equal(again.id, first.id);
      assert.equal(first.type, 'file');
      const reused = await rejectsWith(sendWith(a, conversation.id, [mine.json.id]), 'BAD_REQUEST');
      assert.match(reused.message, /already used/);

      const many = await Promise.all(
        Array.from({ length: 11 }, () => Promise.resolve(randomBytes(12).toString('hex'))),
      );
      await rejectsWith(sendWith(a, conversation.id, many), 'BAD_REQUEST');
      await rejectsWith(
        a.client.api.chat.send.mutate({
          conversationId: conversation.id,
          clientId: randomUUID(),
          content: '  ',
        }),
        'BAD_REQUEST',
      );
    });

    test('100 parallel uploads from one user: at most the per-minute limit succeed, the rest 429', async () => {
      const u = await system.user();
      const own = await u.client.api.chat.openDirect.mutate({ userId: a.id });
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => uploadAs(system, u, own.id, randomBytes(2000))),
      );
      const statuses = answers.map((x) => x.status);
      const created = statuses.filter((s) => s === 201).length;
      const limited = answers.filter((x) => x.status === 429);
      assert.ok(created >= 1 && created <= 20, `created ${created}`);
      assert.equal(created + limited.length, 100, `statuses ${[...new Set(statuses)].join(',')}`);
      assert.ok(limited.every((x) => x.json.error?.data.code === 'TOO_MANY_REQUESTS'));
      assert.ok(limited.every((x) => Number(x.headers.get('retry-after')) >= 1));
    });

    test('uploads no message used within 24 h are swept with their bytes; used ones stay', async () => {
      const unused = await uploadAs(system, a, conversation.id, await png(64, 64), {
        name: 'old.png',
      });
      const used = await uploadAs(system, a, conversation.id, randomBytes(50), {
        name: 'kept.bin',
      });
      await sendWith(a, conversation.id, [used.json.id]);
      const mongo = await mongoose.createConnection(system.env.MONGO_URL!).asPromise();
      try {
        const db = mongo.useDb(`${system.dbPrefix}chat`);
        const attachments = db.collection('attachments');
        const past = new Date(Date.now() - 25 * 3_600_000);
        for (const id of [unused.json.id, used.json.id])
          await attachments.updateOne(
            { _id: new mongoose.Types.ObjectId(id) },
            { $set: { createdAt: past } },
          );
        await waitFor(
          'the sweeper to delete the unused upload',
          async () =>
            (await attachments.countDocuments({
              _id: new mongoose.Types.ObjectId(unused.json.id),
            })) === 0,
        );
        assert.equal((await download(system, unused.json.url)).status, 404);
        assert.equal((await download(system, unused.json.thumbnailUrl!)).status, 404);
        assert.equal((await download(system, used.json.url)).status, 200);
        // Its bytes went too.
        if (storage.store)
          await assert.rejects(storage.store.read(unused.json.id), FileNotFoundError);
        else
          assert.equal(
            await db.collection('files.files').countDocuments({ _id: unused.json.id as never }),
            0,
          );
      } finally {
        await mongo.close();
      }
    });

    test('the SDK uploads a Buffer, a Node stream and a Blob, and resolves file URLs', async () => {
      const bytes = randomBytes(700_000);
      const fromBuffer = await a.client.chat.upload(conversation.id, bytes, { name: 'a.bin' });
      assert.equal(fromBuffer.size, bytes.length);
      const dir = await mkdtemp(path.join(tmpdir(), 'sdk-upload-'));
      try {
        const file = path.join(dir, 'voice.wav');
        await writeFile(file, silentWav(800));
        const fromStream = await a.client.chat.upload(conversation.id, createReadStream(file), {
          name: 'voice.wav',
        });
        assert.equal(fromStream.kind, 'audio');
        assert.equal(fromStream.durationMs, 800);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const fromBlob = await a.client.chat.upload(conversation.id, new Blob([TINY_PDF]), {
        name: 'doc.pdf',
      });
      assert.equal(fromBlob.mime, 'application/pdf');
      const url = a.client.fileUrl(fromBlob.url);
      assert.ok(url.startsWith(system.url));
      assert.deepEqual(Buffer.from(await (await fetch(url)).arrayBuffer()), TINY_PDF);
      const refused = await a.client.chat
        .upload(outsider.id.slice(0, 24), bytes, { name: 'x.bin' })
        .then(
          () => null,
          (err: unknown) => err,
        );
      assert.ok(refused instanceof TRPCClientError);
      assert.equal((refused.data as { code?: string } | undefined)?.code, 'NOT_FOUND');
    });

    test('a message shows its attachments in the event stream too', async () => {
      const up = await uploadAs(system, a, conversation.id, TINY_PDF, { name: 'live.pdf' });
      const received: Message[] = [];
      const errors: unknown[] = [];
      const sub = b.client.api.events.stream.subscribe(undefined, {
        onData: (item: unknown) => {
          // Tracked events arrive as { id, data }; live-only ones as the bare event.
          const d = item as { data?: ClientEvent; type?: string };
          const event = d.type ? (d as ClientEvent) : d.data!;
          if (event.type === 'message.new') received.push(event.message);
        },
        onError: (err: unknown) => errors.push(err),
      });
      try {
        // The stream is live once a plain message arrives over it.
        await waitFor(
          `the stream to deliver a first message (errors: ${String(errors)})`,
          async () => {
            await sendWith(a, conversation.id, [], 'ping').catch(() => undefined);
            return received.length > 0;
          },
        );
        const sent = await sendWith(a, conversation.id, [up.json.id], 'see attached');
        const message = await waitFor('message.new with the attachment', () =>
          received.find((m) => m.id === sent.id),
        );
        assert.equal(message.attachments[0]!.name, 'live.pdf');
        assert.equal((await download(system, message.attachments[0]!.url)).status, 200);
      } finally {
        sub.unsubscribe();
      }
    });
  });

describe('attachments while the S3 storage is down', () => {
  test('an upload is a clear 503 and leaves no record or bytes behind', async () => {
    const storage = await s3();
    const system = await TestSystem.start({
      workers: ['auth', 'user', 'chat'],
      env: { ...storage.env, FILE_URL_SECRET },
    });
    try {
      const { a, conversation } = await directPair(system);
      await storage.server.stop();
      const answer = await uploadAs(system, a, conversation.id, randomBytes(300_000));
      assert.equal(answer.status, 503, JSON.stringify(answer.json));
      assert.equal(answer.json.error?.data.code, 'SERVICE_UNAVAILABLE');
      assert.match(answer.json.error?.message ?? '', /storage/i);
      const mongo = await mongoose.createConnection(system.env.MONGO_URL!).asPromise();
      try {
        const records = mongo.useDb(`${system.dbPrefix}chat`).collection('attachments');
        assert.equal(await records.countDocuments({ uploaderId: a.id }), 0, 'record discarded');
      } finally {
        await mongo.close();
      }
    } finally {
      await system.stop();
      await storage.stop();
    }
  });
});

describe('uploads at once', () => {
  test('one user gets 429 past UPLOAD_CONCURRENCY_PER_USER, anyone 503 past UPLOAD_CONCURRENCY_PER_GATEWAY; both clear when uploads end', async () => {
    const system = await TestSystem.start({
      workers: ['auth', 'user', 'chat'],
      env: {
        FILE_STORAGE: 'gridfs',
        FILE_URL_SECRET,
        UPLOAD_CONCURRENCY_PER_USER: '1',
        UPLOAD_CONCURRENCY_PER_GATEWAY: '2',
      },
    });
    try {
      const { a, b, conversation } = await directPair(system);
      const c = await system.user();
      const toC = await c.client.api.chat.openDirect.mutate({ userId: a.id });
      const inFlight = async () =>
        total(await scrape(`${system.url}/metrics`), 'uploads_in_flight');
      // Two uploads held open mid-body, one by a and one by b: the gateway's cap is reached.
      const held = [heldUpload(system, a, conversation.id), heldUpload(system, b, conversation.id)];
      await waitFor('both uploads being received', async () => (await inFlight()) === 2);

      const again = await uploadAs(system, a, conversation.id, randomBytes(100));
      assert.equal(again.status, 429, JSON.stringify(again.json));
      assert.equal(again.json.error?.data.code, 'TOO_MANY_REQUESTS');
      const busy = await uploadAs(system, c, toC.id, randomBytes(100));
      assert.equal(busy.status, 503, JSON.stringify(busy.json));
      assert.equal(busy.json.error?.data.code, 'SERVICE_UNAVAILABLE');
      assert.ok(Number(busy.headers.get('retry-after')) >= 1, 'Retry-After');

      const finished = await Promise.all(held.map((h) => h.finish()));
      assert.deepEqual(
        finished.map((f) => f.status),
        [201, 201],
      );
      await waitFor('nothing in flight', async () => (await inFlight()) === 0);
      const later = await uploadAs(system, c, toC.id, randomBytes(100));
      assert.equal(later.status, 201, JSON.stringify(later.json));
    } finally {
      await system.stop();
    }
  });
});

/** POST /files whose body is sent in two halves: the second only when `finish` is called. */
function heldUpload(system: TestSystem, user: TestUser, conversationId: string) {
  const body = randomBytes(64 * 1024);
  const req = httpRequest(`${system.url}/files?conversationId=${conversationId}&name=held.bin`, {
    method: 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
      authorization: `Bearer ${user.client.session!.accessToken}`,
    },
  });
  const answer = new Promise<{ status: number }>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
  });
  req.write(body.subarray(0, body.length / 2));
  return {
    finish: () => {
      req.end(body.subarray(body.length / 2));
      return answer;
    },
  };
}
