import fc from 'fast-check';
import { z } from 'zod';
import { hostileValue, withHostileChar } from './hostile-values.js';

/** The part of JSON Schema that `z.toJSONSchema` produces for our input schemas. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
}

export const jsonSchemaOf = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** Real ids and cursors of the system under test, so valid-looking input reaches the store. */
export interface KnownValues {
  userIds: string[];
  conversationIds: string[];
  groupIds: string[];
  messageIds: string[];
  cursors: string[];
  refreshTokens: string[];
  eventIds: string[];
}

function knownFor(name: string, known: KnownValues): string[] {
  if (/^(userId|userIds|memberIds)$/.test(name)) return known.userIds;
  if (/conversationId/.test(name)) return known.conversationIds;
  if (/groupId/.test(name)) return known.groupIds;
  if (/(messageId|messageIds|upToMessageId|ids)$/.test(name)) return known.messageIds;
  if (name === 'cursor') return known.cursors;
  if (name === 'refreshToken') return known.refreshTokens;
  if (name === 'lastEventId') return known.eventIds;
  return [];
}

const boundedString = (s: JsonSchema) => {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 200, 200);
  const edges = [min, s.maxLength]
    .filter((n): n is number => n !== undefined)
    .map((n) => fc.constant('x'.repeat(Math.max(n, 1))));
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: Math.max(min, max) }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: max }) },
    ...edges.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
};

function validString(s: JsonSchema, name: string, known: KnownValues): fc.Arbitrary<string> {
  let base: fc.Arbitrary<string>;
  if (s.format === 'uuid') base = fc.uuid({ version: 4 });
  else if (s.format === 'uri')
    base = fc.webUrl({ validSchemes: ['https'] }).filter((u) => u.length <= (s.maxLength ?? 2048));
  else if (name === 'email') base = fc.emailAddress().filter((e) => e.length <= 254);
  else if (name === 'password') base = fc.string({ minLength: 8, maxLength: 72 });
  else if (s.pattern) base = fc.stringMatching(new RegExp(s.pattern));
  else base = boundedString(s);
  const pool = knownFor(name, known);
  return pool.length
    ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: base })
    : base;
}

/** Values the schema accepts, biased to its boundaries and to ids that exist. */
export function validArbitrary(
  s: JsonSchema,
  known: KnownValues,
  name = '',
): fc.Arbitrary<unknown> {
  if (s.anyOf) return fc.oneof(...s.anyOf.map((sub) => validArbitrary(sub, known, name)));
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'string':
      return validString(s, name, known);
    case 'integer': {
      const min = s.minimum ?? -1000;
      const max = s.maximum ?? 1000;
      return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max));
    }
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = validArbitrary(s.items ?? {}, known, name);
      const minLength = s.minItems ?? 0;
      return fc.array(item, {
        minLength,
        maxLength: Math.max(minLength, Math.min(s.maxItems ?? 5, 5)),
      });
    }
    case 'object': {
      const props = s.properties ?? {};
      const model = Object.fromEntries(
        Object.entries(props).map(([key, sub]) => [key, validArbitrary(sub, known, key)]),
      );
      return fc.record(model, { requiredKeys: (s.required ?? []) as never[] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

type Mutation = 'replace' | 'inject' | 'extraKey' | 'dropKey' | 'whole';

const holdsText = (sub: JsonSchema) =>
  sub.type === 'string' || sub.items?.type === 'string' || !!sub.anyOf?.some(holdsText);

/** A property holding text (the target of an injected character), else any property. */
function stringKey(s: JsonSchema, pick: number): string {
  const entries = Object.entries(s.properties ?? {});
  const text = entries.filter(([, sub]) => holdsText(sub)).map(([key]) => key);
  const keys = text.length ? text : entries.map(([key]) => key);
  return keys.length ? keys[pick % keys.length]! : 'x';
}

function mutate(
  valid: unknown,
  s: JsonSchema,
  mutation: Mutation,
  pick: number,
  hostile: unknown,
  injectedString: string,
): unknown {
  if (mutation === 'whole' || typeof valid !== 'object' || valid === null || Array.isArray(valid))
    return hostile;
  const obj = { ...(valid as Record<string, unknown>) };
  const keys = Object.keys(s.properties ?? {});
  const key =
    mutation === 'inject' ? stringKey(s, pick) : keys.length ? keys[pick % keys.length]! : 'x';
  switch (mutation) {
    case 'replace':
      obj[key] = hostile;
      return obj;
    case 'inject': {
      const current: unknown = obj[key];
      obj[key] =
        Array.isArray(current) && typeof current[0] === 'string'
          ? [injectedString, ...(current as string[]).slice(1)]
          : injectedString;
      return obj;
    }
    case 'extraKey': {
      const extra = ['__proto__', 'constructor', 'prototype', '$where', 'userId', 'role', 'x'][
        pick % 7
      ]!;
      // A computed key makes an own property even for "__proto__", so JSON.stringify sends it.
      return { ...obj, [extra]: hostile };
    }
    case 'dropKey':
      delete obj[key];
      return obj;
  }
}

/** Valid input with one part made hostile: a field replaced, a bad char injected, a key added or dropped. */
export function hostileArbitrary(s: JsonSchema, known: KnownValues): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      validArbitrary(s, known),
      fc.constantFrom<Mutation>(
        'replace',
        'replace',
        'inject',
        'inject',
        'inject',
        'extraKey',
        'dropKey',
        'whole',
      ),
      fc.nat(),
      hostileValue,
    )
    .chain(([valid, mutation, pick, hostile]) =>
      mutation === 'inject'
        ? injected(valid, s, pick)
        : fc.constant(mutate(valid, s, mutation, pick, hostile, '')),
    );
}

/** The `inject` mutation needs a second draw (the char and where it goes) per string. */
function injected(valid: unknown, s: JsonSchema, pick: number) {
  const key = stringKey(s, pick);
  const obj = valid && typeof valid === 'object' ? (valid as Record<string, unknown>) : {};
  const current = obj[key];
  const base =
    typeof current === 'string'
      ? current
      : Array.isArray(current) && typeof current[0] === 'string'
        ? current[0]
        : 'abc';
  return withHostileChar(base).map((bad) => mutate(valid, s, 'inject', pick, undefined, bad));
}
