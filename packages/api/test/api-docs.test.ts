import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { API_DOCS, renderApiDocs, typeOf } from '../scripts/api-docs.js';

test('docs/api.md is what the contract generates (else run `npm run docs:api`)', async () => {
  assert.equal(readFileSync(API_DOCS, 'utf8'), await renderApiDocs());
});

test('types render compactly, bounds and defaults included', () => {
  assert.equal(
    typeOf({
      type: 'object',
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 50, default: 20 },
        ids: { type: 'array', items: { $ref: '#/$defs/Id' }, maxItems: 500 },
        avatar: { anyOf: [{ type: 'string', maxLength: 2048 }, { type: 'null' }] },
      },
      required: ['avatar'],
    }),
    '{ limit?: integer 1–50 = 20, ids?: Id[] ≤ 500 items, avatar: string ≤ 2048 chars \\| null }',
  );
});
