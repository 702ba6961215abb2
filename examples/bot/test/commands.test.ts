import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerTo } from '../src/commands.js';
import { replyClientId } from '../src/reply-id.js';

const now = new Date('2026-01-02T03:04:05.000Z');

test('commands, with or without a mention', () => {
  assert.equal(answerTo('/echo hello  there', 'bot', now), 'hello  there');
  assert.equal(answerTo('@bot /echo hi', 'bot', now), 'hi');
  assert.equal(answerTo('@Bot: /time', 'bot', now), 'It is 2026-01-02T03:04:05.000Z');
  assert.equal(answerTo('@bot', 'bot', now), 'I answer /echo <text> and /time.');
});

test('anything else is not for the bot', () => {
  assert.equal(answerTo('hello', 'bot', now), null);
  assert.equal(answerTo('/echo', 'bot', now), null);
  assert.equal(answerTo('@botany /time', 'bot', now), null);
  assert.equal(answerTo('say /time', 'bot', now), null);
});

test('one reply id per message, shaped as a UUID', () => {
  const id = replyClientId('b', 'm1');
  assert.equal(id, replyClientId('b', 'm1'));
  assert.notEqual(id, replyClientId('b', 'm2'));
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
