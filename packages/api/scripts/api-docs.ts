/**
 * Writes docs/api.md from the contract: the router (procedures, kinds, who may call them),
 * the method table's output schemas, the client events, limits and close codes. Prose lives
 * in api.template.md. `--check` exits 1 when docs/api.md differs from what this would write.
 *   node --import tsx packages/api/scripts/api-docs.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { createLogger } from '@chat/core';
import * as contract from '@chat/contract';
import { appRouter, createCallerFactory, type ApiContext } from '../src/index.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const TEMPLATE = path.join(import.meta.dirname, 'api.template.md');
export const API_DOCS = path.join(ROOT, 'docs/api.md');

/** Shapes named in the docs: an output or field using one of these shows its name. */
const SHAPES: Record<string, z.ZodType> = {
  PublicUser: contract.publicUserSchema,
  Me: contract.meSchema,
  Session: contract.sessionSchema,
  TokenPair: contract.tokenPairSchema,
  Message: contract.messageSchema,
  Attachment: contract.attachmentSchema,
  Conversation: contract.conversationSchema,
  Group: contract.groupSchema,
  Notification: contract.notificationSchema,
  Id: contract.idSchema,
  Cursor: contract.cursorSchema,
  ISODate: contract.isoDate,
};
const SHAPE_NOTES: Record<string, string> = {
  Id: 'an opaque id',
  Cursor: 'an opaque paging cursor: pass `nextCursor` back',
  ISODate: 'an ISO-8601 date-time string',
};

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
  description?: string;
  $defs?: Record<string, JsonSchema>;
};

/** Names the shapes in zod's global registry, where `.describe()` keeps its descriptions. */
function nameShapes(): void {
  for (const [id, schema] of Object.entries(SHAPES)) {
    const meta = z.globalRegistry.get(schema);
    if (meta?.id !== id) z.globalRegistry.add(schema, { ...meta, id });
  }
}

function toJson(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  nameShapes();
  return z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    // Named shapes are referenced, never inlined.
    cycles: 'ref',
    reused: 'inline',
  }) as JsonSchema;
}

const range = (min: number | undefined, max: number | undefined, unit = '') =>
  min !== undefined && max !== undefined
    ? min === max
      ? ` ${min}${unit}`
      : ` ${min}–${max}${unit}`
    : max !== undefined
      ? ` ≤ ${max}${unit}`
      : min !== undefined
        ? ` ≥ ${min}${unit}`
        : '';

const literal = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** A compact TypeScript-like rendering of a JSON Schema, e.g. `{ limit?: integer 1–100 = 30 }`. */
export function typeOf(s: JsonSchema): string {
  if (s.$ref) return s.$ref.split('/').pop()!;
  const note = s.description ? ` (${s.description})` : '';
  const fallback = s.default !== undefined ? ` = ${literal(s.default)}` : '';
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return variants.map(typeOf).join(' \\| ') + note;
  if (s.const !== undefined) return literal(s.const);
  if (s.enum) return s.enum.map(literal).join(' \\| ') + fallback;
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return types.map((t) => typeOf({ ...s, type: t })).join(' \\| ');
  switch (types[0]) {
    case 'object': {
      const required = new Set(s.required ?? []);
      const fields = Object.entries(s.properties ?? {}).map(
        ([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${typeOf(v)}`,
      );
      return fields.length ? `{ ${fields.join(', ')} }` : '{}';
    }
    case 'array':
      return `${wrap(typeOf(s.items ?? {}))}[]${range(s.minItems, s.maxItems, ' items')}`;
    case 'string': {
      const kind = s.format && s.format !== 'regex' ? s.format : 'string';
      const chars = range(s.minLength, s.maxLength, ' chars');
      // A format says more than its regex (uuid); else the pattern is the rule (usernames, ids).
      const pattern =
        s.pattern && kind === 'string' ? ` matching /${s.pattern.replaceAll('|', '\\|')}/` : '';
      return `${kind}${chars}${pattern}${note}${fallback}`;
    }
    case 'integer':
    case 'number':
      return `${types[0]}${range(s.minimum, s.maximum)}${fallback}`;
    case 'boolean':
      return `boolean${fallback}`;
    case 'null':
      return 'null';
    default:
      return 'any';
  }
}

const wrap = (t: string) => (t.includes(' ') && !t.startsWith('{') ? `(${t})` : t);

/** Who may call a procedure: a protected one refuses a caller without a token first. */
async function needsToken(path: string): Promise<boolean> {
  const refuse = () => Promise.reject(new Error('not called by the docs'));
  const ctx: ApiContext = {
    requestId: 'docs',
    ip: '127.0.0.1',
    connectionKey: 'docs',
    user: null,
    rpc: refuse,
    limits: {
      consume: () => Promise.resolve(),
      assertLoginAllowed: () => Promise.resolve(),
      recordLoginFailure: () => Promise.resolve(),
      recordLoginSuccess: () => Promise.resolve(),
    },
    events: { open: refuse },
    log: createLogger({ service: 'docs', level: 'silent' }),
  };
  const caller = createCallerFactory(appRouter)(ctx) as unknown as Record<
    string,
    Record<string, (input: unknown) => Promise<unknown>>
  >;
  const [group, name] = path.split('.') as [string, string];
  try {
    await caller[group]![name]!(undefined);
    return false;
  } catch (err) {
    return err instanceof TRPCError && err.code === 'UNAUTHORIZED';
  }
}

interface ProcedureDef {
  _def: { type: 'query' | 'mutation' | 'subscription'; inputs: z.ZodType[] };
}

function outputOf(path: string): z.ZodType {
  if (path === 'events.stream') return contract.clientEventSchema;
  if (!Object.hasOwn(contract.methods, path)) throw new Error(`${path} is not in the method table`);
  return contract.methods[path as contract.RpcMethod].output;
}

async function procedures(): Promise<string> {
  const procs = appRouter._def.procedures as unknown as Record<string, ProcedureDef>;
  const rows = ['| procedure | kind | input | output | errors besides the common ones |'];
  rows.push('| --- | --- | --- | --- | --- |');
  for (const [path, proc] of Object.entries(procs)) {
    const auth = await needsToken(path);
    const input = proc._def.inputs[0];
    const inputType = input ? typeOf(toJson(input, 'input')) : '–';
    const output =
      path === 'events.stream'
        ? 'events (below), stored ones `tracked` with their id'
        : typeOf(toJson(outputOf(path), 'output'));
    const errors = [input ? 'BAD_REQUEST' : null, auth ? 'UNAUTHORIZED' : null].filter(Boolean);
    rows.push(
      `| \`${path}\` | ${auth ? 'A' : 'P'} ${proc._def.type} | \`${inputType}\` | ${output.startsWith('events') ? output : `\`${output}\``} | ${errors.join(', ') || '–'} |`,
    );
  }
  return rows.join('\n');
}

function shapes(): string {
  return Object.entries(SHAPES)
    .map(([name, schema]) => {
      const json = toJson(schema, 'output');
      const defs = json.$defs ?? {};
      const own = defs[name] ?? json;
      const note = SHAPE_NOTES[name] ? ` — ${SHAPE_NOTES[name]}` : '';
      // Outside tables a `|` needs no escape.
      const plain = (t: JsonSchema) => typeOf(t).replaceAll('\\|', '|');
      if (own.type !== 'object') return `- **${name}**: \`${plain(own)}\`${note}`;
      const required = new Set(own.required ?? []);
      const fields = Object.entries(own.properties ?? {})
        .map(([k, v]) => `  - \`${k}${required.has(k) ? '' : '?'}\`: \`${plain(v)}\``)
        .join('\n');
      return `- **${name}**${note}\n${fields}`;
    })
    .join('\n');
}

function events(): string {
  const stored = new Set<string>(contract.storedEventSchema.options.map((o) => o.shape.type.value));
  const rows = ['| event | payload | delivery | meaning |', '| --- | --- | --- | --- |'];
  for (const option of contract.clientEventSchema.options) {
    const type = option.shape.type.value;
    const json = toJson(option, 'output');
    const { type: _type, ...payload } = json.properties ?? {};
    const fields = typeOf({ ...json, properties: payload, description: undefined });
    const delivery =
      type === 'resync' ? 'first, when needed' : stored.has(type) ? 'stored, tracked' : 'live only';
    rows.push(
      `| \`${type}\` | \`${fields}\` | ${delivery} | ${(option.description ?? '').replaceAll('|', '\\|')} |`,
    );
  }
  return rows.join('\n');
}

/** `/** why *\/ export const NAME = …` pairs of a contract source file, valued at runtime. */
function documentedConstants(file: string, values: Record<string, unknown>): string {
  const source = readFileSync(path.join(ROOT, 'packages/contract/src', file), 'utf8');
  const rows = ['| name | value | meaning |', '| --- | --- | --- |'];
  for (const m of source.matchAll(
    /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(?:export const )?(\w+)\s*[:=]/g,
  )) {
    const name = m[2]!;
    if (!(name in values)) continue;
    const doc = m[1]!.replace(/\n\s*\*\s?/g, ' ').trim();
    rows.push(`| \`${name}\` | ${JSON.stringify(values[name])} | ${doc} |`);
  }
  return rows.join('\n');
}

export async function renderApiDocs(): Promise<string> {
  const parts: Record<string, string> = {
    procedures: await procedures(),
    shapes: shapes(),
    events: events(),
    limits: documentedConstants('limits.ts', contract),
    closeCodes: documentedConstants('close-codes.ts', contract.closeCodes),
  };
  const text = readFileSync(TEMPLATE, 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (!(key in parts)) throw new Error(`api.template.md names an unknown part {{${key}}}`);
    return parts[key]!;
  });
  // Formatted as `prettier --check .` expects it.
  return format(text, { ...(await resolveConfig(API_DOCS)), parser: 'markdown' });
}

if (process.argv[1] === import.meta.filename) {
  const text = await renderApiDocs();
  if (process.argv.includes('--check')) {
    const current = readFileSync(API_DOCS, 'utf8');
    if (current !== text) {
      console.error('✖ docs/api.md is stale: run `npm run docs:api` and commit it');
      process.exit(1);
    }
    console.log('docs/api.md is current');
  } else {
    writeFileSync(API_DOCS, text);
    console.log(`wrote ${path.relative(ROOT, API_DOCS)}`);
  }
}
