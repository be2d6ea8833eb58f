import fc from 'fast-check';

/**
 * fast-check arbitraries for API input generated from an OpenAPI document: mostly values of the
 * documented type, edged with what broke oxy before (NUL, lone surrogates, 2^63, 1e300, upper-case
 * UUIDs, timestamps outside PostgreSQL's range) and, now and then, a value of the wrong type.
 * A UUID is generated as an {@link IdRef} to one of the fixture rows, so that the same input means
 * the same row on every backend; {@link materialize} swaps in each backend's own id.
 */
export class IdRef {
  constructor(
    readonly slot: number,
    readonly upper: boolean,
  ) {}
}

export type Schema = Record<string, any>;

const NASTY_TEXT = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udc00y',
  '\udbff\udfff',
  '😀',
  'é',
  'Ω'.repeat(201),
  "'; drop table users; --",
  '%00',
  '\\u0000',
  'NULL',
  'null',
];
const NASTY_NUMBERS = [
  0,
  -1,
  1,
  1.5,
  -0,
  2 ** 31,
  2 ** 53,
  2 ** 53 - 1,
  -(2 ** 53) + 1,
  2 ** 63,
  -(2 ** 63),
  1e300,
  -1e300,
  5e-324,
];
const NASTY_TIMES = [
  '2026-01-02T03:04:05Z',
  '2026-01-02T03:04:05.123456789+05:30',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:30:00+01:00',
  '9999-12-31T23:59:59-01:00',
  '2026-02-30T00:00:00Z',
  '2026-06-30T23:59:60Z',
  '2026-01-02 03:04:05',
  '2026-01-02T24:00:00Z',
  'yesterday',
];
const RANDOM_UUIDS = [
  '01900000-0000-7000-8000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  'urn:uuid:01900000-0000-7000-8000-000000000000',
  '{01900000-0000-7000-8000-000000000000}',
  '0190000000007000800000000000000',
  'not-a-uuid',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
/** Any text: printable, any code point (NUL included), or with lone surrogates mixed in. */
export const anyText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({
    unit: fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
      loneSurrogate,
    ),
    maxLength: 6,
  }),
  fc.constantFrom(...NASTY_TEXT),
);
const anyNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...NASTY_NUMBERS),
);
/** Arrays nested `depth` deep, written into the JSON text by {@link toJsonText} (neither fast-check nor JSON.stringify can walk them). */
export class Nested {
  constructor(readonly depth: number) {}
}
/** Around the API's nesting limit, and far past what JS recursion and jsonb take. */
const nested = fc.constantFrom(63, 64, 65, 5000).map((depth) => new Nested(depth));

/** Any JSON value, keys and strings included, at a small depth, or nested deep now and then. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nested,
    fc.constant(null),
    fc.boolean(),
    anyNumber,
    anyText,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(anyText, tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** Text that passes the services' own rules for these fields, so that generated rows reach the database. */
const PLAUSIBLE: Record<string, fc.Arbitrary<string>> = {
  email: fc.emailAddress({ size: 'small' }),
  slug: fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/),
  // A workflow of one formatter task (also a YAML mapping, all an agent definition needs).
  definition: fc
    .tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.oneof(anyText, fc.integer()))
    .map(
      ([name, text]) =>
        `name: ${name}\ntasks:\n  - name: t\n    type: formatter\n    template: ${JSON.stringify(String(text))}\n`,
    ),
};

export class SchemaArbitraries {
  /**
   * @param slots the fixture rows' tables, in slot order
   * @param references which table a UUID field refers to (`project_id` → `projects`)
   */
  constructor(
    private readonly components: Record<string, Schema>,
    private readonly slots: readonly string[],
    private readonly references: ReadonlyMap<string, string>,
  ) {}

  private resolve(schema: Schema): Schema {
    let current = schema;
    for (let i = 0; i < 10 && typeof current.$ref === 'string'; i++) {
      current = this.components[current.$ref.replace('#/components/schemas/', '')] ?? {};
    }
    return current;
  }

  /** A UUID: mostly a fixture row of `table` (when known), sometimes any row or none. */
  uuid(table?: string): fc.Arbitrary<unknown> {
    const ref = (slots: number[]) =>
      fc.tuple(fc.constantFrom(...slots), fc.boolean()).map(([slot, upper]) => new IdRef(slot, upper));
    const of = this.slots.flatMap((t, i) => (t === table ? [i] : []));
    return fc.oneof(
      { weight: of.length ? 6 : 0, arbitrary: of.length ? ref(of) : fc.constant(null) },
      { weight: 2, arbitrary: ref(this.slots.map((_, i) => i)) },
      { weight: 1, arbitrary: fc.constantFrom(...RANDOM_UUIDS) },
    );
  }

  /** A value for `schema`: of its type most of the time, of any type now and then. */
  value(schema: Schema | undefined, name?: string): fc.Arbitrary<unknown> {
    return fc.oneof({ weight: 8, arbitrary: this.typed(schema ?? {}, name) }, { weight: 1, arbitrary: anyJson });
  }

  private typed(raw: Schema, name?: string): fc.Arbitrary<unknown> {
    const schema = this.resolve(raw);
    if (schema.anyOf || schema.oneOf)
      return fc.oneof(...(schema.anyOf ?? schema.oneOf).map((s: Schema) => this.typed(s, name)));
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum)
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...schema.enum) }, { weight: 1, arbitrary: anyText });
    switch (schema.type) {
      case 'string':
        if (name !== undefined && name in PLAUSIBLE)
          return fc.oneof({ weight: 3, arbitrary: PLAUSIBLE[name]! }, { weight: 1, arbitrary: anyText });
        if (schema.format === 'uuid') return this.uuid(name === undefined ? undefined : this.references.get(name));
        if (schema.format === 'date-time')
          return fc.oneof(
            fc.constantFrom(...NASTY_TIMES),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          );
        return schema.format === 'email' ? fc.oneof(fc.emailAddress(), anyText) : anyText;
      case 'integer':
        return fc.oneof(
          {
            weight: 4,
            arbitrary: fc.integer({ min: schema.minimum ?? -5, max: Math.min(schema.maximum ?? 1000, 1000) }),
          },
          { weight: 1, arbitrary: fc.constantFrom(...NASTY_NUMBERS) },
        );
      case 'number':
        return anyNumber;
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return fc.array(this.value(schema.items), { maxLength: 3 });
      case 'object':
        return this.object(schema);
      default:
        return anyJson;
    }
  }

  /** An object with the schema's required properties, some optional ones and now and then a stray one. */
  object(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
    const properties: Record<string, Schema> = schema.properties ?? {};
    const required: string[] = schema.required ?? [];
    const record = fc.record(
      Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, this.value(s, name)])),
      { requiredKeys: required.filter((name) => name in properties) },
    );
    return fc
      .tuple(
        record,
        fc.oneof(
          { weight: 9, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: fc.dictionary(anyText, anyJson, { minKeys: 1, maxKeys: 1 }) },
        ),
      )
      .map(([r, extra]) => ({ ...(extra ?? {}), ...r }));
  }
}

const NESTED_MARK = /"@@nested:(\d+)@@"/g;

/** The JSON text of a materialized value, with each Nested written out as its arrays. */
export function toJsonText(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(
    NESTED_MARK,
    (_m, depth: string) => '['.repeat(Number(depth)) + ']'.repeat(Number(depth)),
  );
}

/** Replaces every IdRef (at any depth) with the backend's fixture id; a Nested becomes a mark for toJsonText. */
export function materialize(value: unknown, ids: readonly string[]): unknown {
  if (value instanceof Nested) return `@@nested:${value.depth}@@`;
  if (value instanceof IdRef) {
    const id = ids[value.slot]!;
    return value.upper ? id.toUpperCase() : id;
  }
  if (Array.isArray(value)) return value.map((v) => materialize(v, ids));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialize(v, ids)]));
  return value;
}

/** Percent-encodes text as UTF-8; a lone surrogate becomes the bytes of its code unit (invalid UTF-8), as a hostile client could send. */
export function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (/[A-Za-z0-9_.~-]/.test(char)) out += char;
    else if (code >= 0xd800 && code <= 0xdfff)
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    else out += [...Buffer.from(char, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}
