import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unescapeCopyField } from '../../src/transfer/copy-text.js';
import { jsonbText, NumericRangeError, numericText, writeJsonbText } from '../../src/transfer/jsonb-text.js';
import { fromSqlite } from '../../src/transfer/value-codec.js';
import { postgresAdminUrl } from '../support/backends.js';

/** Deterministic pseudo-random JSON with the awkward parts: unicode keys, escapes, numbers. */
function randomJson(seed: number, depth = 0): string {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s);
  const pick = <T>(xs: T[]) => xs[next() % xs.length]!;
  const kind = depth > 3 ? next() % 4 : next() % 6;
  if (kind === 0)
    return pick(['0', '-0', '1.0', '1e2', '1E-2', '-12.340e+3', '12345678901234567890', '0.10', '3.14159', '-7']);
  if (kind === 1)
    return JSON.stringify(pick(['', 'ü', '😀', 'tab\t', 'nl\n', 'q"uote', 'back\\slash', '\u0001', 'é'.repeat(5)]));
  if (kind === 2) return pick(['true', 'false', 'null']);
  if (kind === 3) return `"\\u00e9\\/\\b${next() % 10}"`;
  if (kind === 4)
    return `[${Array.from({ length: next() % 4 }, (_, i) => randomJson(seed * 31 + i, depth + 1)).join(' , ')}]`;
  const keys = ['a', 'bb', 'ccc', 'ä', 'key', 'Key', '', '😀', 'a'];
  return `{${Array.from({ length: next() % 5 }, (_, i) => `${JSON.stringify(pick(keys))}:${randomJson(seed * 17 + i, depth + 1)}`).join(',')}}`;
}

describe('canonical text shared by oxy and PostgreSQL', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: postgresAdminUrl() });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
  });

  it('jsonbText prints JSON exactly as PostgreSQL prints it as jsonb', async () => {
    const inputs = [
      '{"bb":1,"a":[1.50e1,true]}',
      '{"a":1,"a":2}',
      '[ {"x" : [ ] } , null ]',
      '"\\ud83d\\ude00"',
      '100e-2',
      ...Array.from({ length: 300 }, (_, i) => randomJson(i + 1)),
    ];
    const { rows } = await client.query<{ t: string }>(
      'select x::jsonb::text as t from unnest($1::text[]) with ordinality u(x, n) order by n',
      [inputs],
    );
    const mismatches = inputs
      .map((input, i) => ({ input, pg: rows[i]!.t, oxy: jsonbText(input) }))
      .filter((r) => r.pg !== r.oxy);
    expect(mismatches).toEqual([]);
  });

  it('writeJsonbText writes what PostgreSQL prints, or leaves the JSON to jsonbText', async () => {
    const common = [
      '{"sql":"select 0"}',
      '{"rows":[[0,"x"]],"columns":["n","s"]}',
      '{ "a" : 1.50 , "bb" : [ true , false , null ] , "ccc" : { } , "dddd" : [ ] }',
      '{"b":-7,"ab":"ü and 😀 and ✓","abc":"tab\\t quote\\" back\\\\slash"}',
      '[0,-0.5,10.250,12345678901234567890123]',
      '{"zz":{"b":[1,{"d":2,"c":"x"}],"a":null},"y":"\u00fc","b":true,"aa":[]}', // keys out of order
      '"plain"',
      '-3',
      `{"zz":"${'x'.repeat(100)}","kind":"table","a":[1,2,3],"rows":[[1,"${'y'.repeat(70)}"]]}`, // long and short members moved
    ];
    const other = [
      '{"a":1,"a":2}', // a repeated key
      '{"b":{"a":1,"a":2},"a":1}',
      '{"ccc":1,"a":2,"bb":3,"a":4}', // a repeated key, apart, in an object put in order
      '{"é":1}', // a non-ASCII key
      '[1e2]',
      '[-0]',
      '[-0.00]',
      '["\\/"]',
      '["\\u00e9"]',
      '[01]',
      '[1.]',
      '{"a":}',
      '[1,]',
      '[1] x',
      '"\ud83d"', // lone surrogates: no UTF-8 for them
      '"\ude00\ude00"',
      '"unterminated',
      `${'['.repeat(70)}${']'.repeat(70)}`,
    ];
    const inputs = [...common, ...other, ...Array.from({ length: 300 }, (_, i) => randomJson(i + 1))];
    const valid = (input: string) => {
      try {
        return jsonbText(input) !== undefined;
      } catch {
        return false;
      }
    };
    const checked = inputs.filter(valid);
    const { rows } = await client.query<{ t: string }>(
      'select x::jsonb::text as t from unnest($1::text[]) with ordinality u(x, n) order by n',
      [checked],
    );
    const printed = new Map(checked.map((input, i) => [input, rows[i]!.t]));
    const verbatim = inputs.map((input) => {
      const out = Buffer.alloc(input.length * 3);
      const end = writeJsonbText(input, out, 0);
      return end < 0 ? undefined : out.toString('utf8', 0, end);
    });
    const wrong = inputs
      .map((input, i) => ({ input, pg: printed.get(input), oxy: verbatim[i] }))
      .filter((r) => r.oxy !== undefined && r.oxy !== r.pg);
    expect(wrong).toEqual([]);
    expect(verbatim.slice(0, common.length).map((v, i) => (v === undefined ? common[i] : 'ok'))).toEqual(
      common.map(() => 'ok'),
    );
    expect(verbatim.slice(common.length, common.length + other.length)).toEqual(other.map(() => undefined));
  });

  it('writeJsonbText orders a large object as jsonbText does', () => {
    const object = Object.fromEntries(
      Array.from({ length: 3000 }, (_, i) => [`k${3000 - i}`, [i, { z: i, a: `v${i}` }]]),
    );
    const json = JSON.stringify(object);
    const out = Buffer.alloc(json.length * 3);
    const end = writeJsonbText(json, out, 0);
    expect(end).toBeGreaterThan(0);
    expect(out.toString('utf8', 0, end)).toBe(jsonbText(json));
  });

  it('numericText follows numeric output', () => {
    expect(numericText('1.50e1')).toBe('15.0');
    expect(numericText('-0.0')).toBe('0.0');
    expect(numericText('1e-3')).toBe('0.001');
    expect(() => jsonbText('{"a":}')).toThrow(SyntaxError);
    expect(() => jsonbText('[1,]')).toThrow(SyntaxError);
    expect(() => jsonbText('01')).toThrow(SyntaxError);
  });

  it("numericText refuses exactly the numbers PostgreSQL's numeric cannot hold, as jsonb does", async () => {
    const nines = (n: number) => '9'.repeat(n);
    const lexemes = [
      nines(131072),
      `1${'0'.repeat(131072)}`,
      `-${nines(131072)}`,
      `0.${nines(16383)}`,
      `0.${nines(16384)}`,
      `-0.${'0'.repeat(16384)}`,
      '1e131071',
      '1e131072',
      '10e131071',
      '0.5e131072',
      '0.5e131073',
      '1.5e-16382',
      '1.5e-16383',
      '0e200000',
      '-0.0e131073',
      '0e-16383',
      '0e-16384',
      '1e-99999999',
      '1e99999999',
      '0e1073741822',
      '0e1073741823',
      '0e-1073741823',
      '0e99999999999999999999',
      '12.5e-3',
    ];
    const oxy = lexemes.map((lexeme) => {
      try {
        return numericText(lexeme);
      } catch (error) {
        return error instanceof NumericRangeError ? 'out of range' : String(error);
      }
    });
    const postgres: string[] = [];
    for (const lexeme of lexemes) {
      try {
        const { rows } = await client.query<{ t: string }>('select ($1::jsonb ->> 0) as t', [`[${lexeme}]`]);
        postgres.push(rows[0]!.t);
      } catch (error) {
        expect((error as Error).message).toMatch(/value overflows numeric format/);
        postgres.push('out of range');
      }
    }
    expect(oxy).toEqual(postgres);
    expect(postgres.filter((p) => p === 'out of range')).toHaveLength(13);
    // The fast writer leaves the too-long ones to jsonbText, which names the number.
    for (const json of [`[${nines(131073)}]`, `[0.${nines(16384)}]`]) {
      expect(writeJsonbText(json, Buffer.alloc(json.length + 8), 0)).toBe(-1);
      expect(() => fromSqlite('json', json)).toThrow(
        /^JSON that jsonb cannot store: the number [0-9.]{12}…9{8} \(\d+ characters\) is beyond numeric's range/,
      );
    }
    expect(() => fromSqlite('json', '{"n":1e131072}')).toThrow(
      "JSON that jsonb cannot store: the number 1e131072 is beyond numeric's range: at most 131072 digits before the point and 16383 after",
    );
  });

  it('the SQL rendering of timestamps matches canonicalTimestamp', async () => {
    const values = [
      '2026-01-02T03:04:05.123Z',
      '2026-01-02T03:04:05.123456Z',
      '2026-01-02T03:04:05.000001Z',
      '2026-12-31T23:59:59.999999Z',
      '2024-02-29T00:00:00.000Z',
    ];
    const { rows } = await client.query<{ t: string }>(
      `select to_char(c at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.') || case when extract(microseconds from c)::bigint % 1000 = 0 then to_char(c at time zone 'UTC', 'MS') else to_char(c at time zone 'UTC', 'US') end || 'Z' as t
       from unnest($1::timestamptz[]) with ordinality u(c, n) order by n`,
      [values],
    );
    expect(rows.map((r) => r.t)).toEqual(values.map((v) => fromSqlite('timestamp', v)));
  });

  it('reads COPY text escapes back', () => {
    expect(unescapeCopyField('plain')).toBe('plain');
    expect(unescapeCopyField('tab\\there\\nnew\\\\N')).toBe('tab\there\nnew\\N');
    expect(unescapeCopyField('\\N')).toBeNull();
  });

  it('refuses SQLite values PostgreSQL would reject or change', () => {
    expect(() => fromSqlite('boolean', 2n)).toThrow(/expected boolean 0 or 1/);
    expect(() => fromSqlite('text', 'nul\u0000')).toThrow(/NUL/);
    expect(() => fromSqlite('json', '{"a":')).toThrow(/invalid JSON/);
    expect(() => fromSqlite('json', '"\\u0000"')).toThrow(/\\u0000/);
    expect(() => fromSqlite('json', '["a\\\\\\u0000"]')).toThrow(/\\u0000/); // a backslash, then U+0000
    expect(fromSqlite('json', '{"k":"\\\\u0000"}')).toBe('{"k": "\\\\u0000"}'); // a backslash, then "u0000"
    expect(() => fromSqlite('timestamp', '2026-02-30T00:00:00.000Z')).toThrow(/not a valid date/);
    expect(() => fromSqlite('uuid', 'not-a-uuid')).toThrow(/not a UUID/);
    expect(fromSqlite('integer', 9223372036854775807n)).toBe('9223372036854775807');
    expect(fromSqlite('bytes', Buffer.from([0, 255]))).toBe('\\x00ff');
  });

  it('reads every control character back from what COPY TO prints for it', async () => {
    const copied = await new Promise<string>((resolve, reject) => {
      const stream = client.query(copyTo('copy (select chr(n) from generate_series(1, 31) n) to stdout'));
      let out = '';
      stream.on('data', (d: Buffer) => (out += d.toString()));
      stream.on('end', () => resolve(out));
      stream.on('error', reject);
    });
    const lines = copied.split('\n').slice(0, -1);
    expect(lines.map(unescapeCopyField)).toEqual(Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)));
  });
});
