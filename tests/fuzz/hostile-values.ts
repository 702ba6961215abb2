import fc from 'fast-check';

/**
 * Values an attacker (or a broken client) may send in place of a valid one. JSON can't
 * carry NaN, Infinity or -0 as such: `rawToken` leaves a placeholder that `toWire`
 * replaces with the bare token, so the server's JSON parser sees exactly that text.
 */
const RAW_PREFIX = '\u0001raw:';
export const rawToken = (text: string) => `${RAW_PREFIX}${text}\u0001`;

/** JSON text of `value`, with raw tokens spliced in unquoted. */
export function toWire(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  // The token sits JSON-escaped inside a string literal: unescape it, then drop the quotes.
  return text.replace(
    /"\\u0001raw:(.*?)\\u0001"/g,
    (_, escaped: string) => JSON.parse(`"${escaped}"`) as string,
  );
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));

/** C0 and C1 control characters and DEL (including \n and \t, which some fields allow). */
export const CONTROL_CHARS = [...range(0x00, 0x1f), '\u007f', ...range(0x80, 0x9f)];
export const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff'];
/** Invisible or direction-changing characters that are valid Unicode, so merely odd. */
const ODD_CHARS = ['\u200b', '\u200e', '\u202e', '\u2028', '\u2029', '\ufeff', '\ufffe', '\uffff'];

/** Any UTF-16 code unit, lone surrogates included (fast-check's units never produce those). */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

const special = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0000'.repeat(64),
  '\\u0000',
  '%00',
  ...LONE_SURROGATES,
  'x\ud83dy',
  '\udc00\ud800',
  ...ODD_CHARS,
  '\r\n',
  '\t',
  '{"$gt":""}',
  '$where',
  '$ne',
  '.*',
  '^(a+)+$',
  "' OR '1'='1",
  '"; DROP TABLE users; --',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '1700000000000-0',
  '99999999999999999999-99999999999999999999',
  '000000000000000000000000',
  'ffffffffffffffffffffffff',
);

/** Strings at and beyond every limit the API has (64, 100, 500, 4000, 64 KiB). */
const huge = fc.constantFrom(
  'x'.repeat(65),
  'x'.repeat(101),
  'x'.repeat(501),
  'x'.repeat(4001),
  ' '.repeat(4001) + 'x',
  '😀'.repeat(2001),
  'é'.repeat(3000),
  'x'.repeat(20_000),
  'x'.repeat(70_000),
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: special },
  { weight: 2, arbitrary: huge },
  { weight: 3, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...CONTROL_CHARS), maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** `base` with one hostile character (NUL, control, lone surrogate, …) put somewhere in it. */
export const withHostileChar = (base: string) =>
  fc
    .tuple(
      // NUL and lone surrogates are what a store may refuse: drawn most often.
      fc.oneof(
        { weight: 3, arbitrary: fc.constant('\u0000') },
        { weight: 2, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
        { weight: 3, arbitrary: fc.constantFrom(...CONTROL_CHARS) },
        { weight: 2, arbitrary: fc.constantFrom(...ODD_CHARS) },
      ),
      fc.nat({ max: base.length }),
    )
    .map(([char, at]) => base.slice(0, at) + char + base.slice(at));

const numbers = fc.constantFrom<unknown>(
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 53 + 1,
  -(2 ** 63),
  rawToken('-0'),
  rawToken('NaN'),
  rawToken('Infinity'),
  rawToken('-Infinity'),
  rawToken('1e400'),
  rawToken('-1e400'),
  rawToken('1e-400'),
  rawToken('0x10'),
  rawToken('01'),
);

/** Objects whose keys try to reach prototypes once parsed and merged somewhere. */
const pollution = fc.constantFrom<unknown>(
  JSON.parse('{"__proto__":{"isAdmin":true,"polluted":1}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":1}}}'),
  JSON.parse('{"prototype":{"polluted":1}}'),
  JSON.parse('{"$where":"sleep(1000)","$gt":""}'),
  JSON.parse('{"$ne":null}'),
);

/** Nested arrays/objects far deeper than any schema: tests recursion in parsers and formatters. */
const deep = fc
  .constantFrom(50, 1_000, 10_000)
  .chain((depth) =>
    fc.constantFrom<unknown>(
      rawToken('['.repeat(depth) + ']'.repeat(depth)),
      rawToken('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
    ),
  );

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 2, arbitrary: numbers },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], [[[]]], ['x'], { 0: 1 }),
  },
  { weight: 2, arbitrary: pollution },
  { weight: 1, arbitrary: deep },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 600 }) },
);
