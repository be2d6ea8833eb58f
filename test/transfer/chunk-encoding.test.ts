import path from 'node:path';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.js';
import { entityByTable, type ColumnDef } from '../../src/db/entities.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { openSqlite, type SqliteDatabase } from '../../src/db/sqlite-driver.js';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { BatchEncoder, quickField, writeField } from '../../src/transfer/batch-encoder.js';
import { COPY_HEADER, COPY_TRAILER, CopyBinaryWriter } from '../../src/transfer/copy-binary.js';
import { ChunkReader } from '../../src/transfer/copy-entity.js';
import { EncoderPool } from '../../src/transfer/encoder-pool.js';
import { asTransferError } from '../../src/transfer/transfer-errors.js';
import { checkEntity, type SourceProblem } from '../../src/transfer/source-checks.js';
import { registerChecks } from '../../src/transfer/sqlite-functions.js';
import { freshDatabase, tempDir } from '../support/backends.js';

/** The bytes a write leaves in a fresh writer, or undefined where it writes nothing or refuses the value. */
function written(write: (out: CopyBinaryWriter) => boolean | void): string | undefined {
  const out = new CopyBinaryWriter(16);
  try {
    if (write(out) === false) return undefined;
  } catch {
    return undefined;
  }
  return Buffer.from(out.finish()).toString('hex');
}

/**
 * An oxy SQLite file at the current schema, opened with foreign keys off: rows that refer to
 * nothing can be inserted, since only their encoding is under test.
 */
async function sourceWithSchema(file: string): Promise<SqliteDatabase> {
  const app = await connectDatabase(parseDatabaseUrl(`sqlite://${file}`, 'test'));
  await migrateToLatest(app.db, app.dialect);
  await app.close();
  const db = openSqlite(file);
  db.pragma('foreign_keys = OFF');
  return db;
}

/**
 * Messages holding each of `values` as metadata, in a fresh source: the problems --dry-run finds
 * in that column, and whether the encoder copies each row (true) or refuses it.
 */
async function dryRunAndCopy(
  prefix: string,
  values: string[],
): Promise<{ ids: string[]; found: SourceProblem[]; copied: boolean[] }> {
  const db = await sourceWithSchema(path.join(tempDir(prefix), 'source.sqlite'));
  const insert = db.prepare(
    `insert into messages (id, thread_id, role, content, metadata, created_at, updated_at) values (?, ?, 'user', 'x', ?, ?, ?)`,
  );
  const now = '2026-01-01T00:00:00.000Z';
  const ids = values.map((json, i) => {
    const id = `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`;
    insert.run(id, id, json, now, now);
    return id;
  });
  registerChecks(db);
  const found = checkEntity(db, entityByTable('messages'), 20).filter((p) => p.column === 'metadata');
  const encoder = new BatchEncoder(db, entityByTable('messages'));
  const copied = ids.map((id, i) => {
    try {
      return encoder.encode(i === 0 ? null : ids[i - 1]!, id, 10).rows === 1;
    } catch {
      return false;
    }
  });
  db.close();
  return { ids, found, copied };
}

/** The first field (the id, a UUID) of each binary COPY row. */
function binaryIds(data: Uint8Array): string[] {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.length);
  const ids: string[] = [];
  for (let at = 0; at < bytes.length;) {
    const fields = bytes.readInt16BE(at);
    at += 2;
    for (let i = 0; i < fields; i++) {
      const length = bytes.readInt32BE(at);
      at += 4;
      if (i === 0) {
        const hex = bytes.toString('hex', at, at + 16);
        ids.push(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`);
      }
      if (length > 0) at += length;
    }
  }
  return ids;
}

/** A timestamp as binary COPY sends it: 8 bytes of microseconds since 2000-01-01 UTC, from Date.parse. */
function expectedMicros(canonical: string): string {
  const micros =
    BigInt(Date.parse(canonical)) * 1000n +
    BigInt((canonical.slice(23, -1) || '0').padEnd(3, '0')) -
    946_684_800_000_000n;
  const bytes = Buffer.alloc(12);
  bytes.writeInt32BE(8);
  bytes.writeBigInt64BE(micros, 4);
  return bytes.toString('hex');
}

describe('migrate-sqlite encoding', () => {
  it('the quick path writes exactly what the general path writes, and leaves it every value it cannot vouch for', () => {
    const cases: [ColumnDef, unknown[]][] = [
      [
        { name: 'id', type: 'uuid' },
        [
          '0190f3c2-7b1a-7c3d-8e4f-0123456789ab',
          '0190F3C2-7B1A-7C3D-8E4F-0123456789AB',
          '0190f3c2-7b1a-7c3d-8e4f-0123456789a',
          '0190f3c2x7b1a-7c3d-8e4f-0123456789ab',
          42n,
          null,
        ],
      ],
      [
        { name: 'content', type: 'text', nullable: true },
        ['plain', '', 'ü and 😀', 'tab\there', 'line\nbreak', 'back\\slash', 'nul\u0000', '\r\b\f\v', 7n, null],
      ],
      [{ name: 'role', type: 'text', enum: ['user', 'assistant'] }, ['user', 'assistant', 'admin', 'User']],
      [
        { name: 'at', type: 'timestamp' },
        [
          '2026-01-02T03:04:05.000Z',
          '2026-01-02T03:04:05.120Z',
          '2026-01-02T03:04:05.100000Z',
          '2026-01-02T03:04:05.000001Z',
          '2026-02-28T23:59:59.999999Z',
          '2024-02-29T00:00:00.000Z',
          '2026-02-29T00:00:00.000Z',
          '2026-04-31T00:00:00.000Z',
          '2026-13-01T00:00:00.000Z',
          '2026-01-01T24:00:00.000Z',
          '2026-01-01 00:00:00.000Z',
          '2026-01-01T00:00:00.0000Z',
          '2026-01-01T00:00:00Z',
          '2026-01-01T00:00:00.000+01:00',
        ],
      ],
      [
        { name: 'n', type: 'integer', nullable: true },
        ['0', '-1', '999999999999999', '-99999999999999', '9007199254740993', '-9223372036854775808', null],
      ],
      [{ name: 'b', type: 'boolean' }, [0, 1, 2, '1', null]],
      [
        { name: 'j', type: 'json', nullable: true },
        [
          '{"sql":"select 1","rows":[[1,"x"]]}',
          '{ "a" : [ 1.50, -2, "ü😀\\n" ] }',
          '{"b":1,"a":2}',
          '[1e2]',
          '"\\u00e9"',
          '{"a":',
          '"\\u0000"',
          7n,
          null,
        ],
      ],
    ];
    let quick = 0;
    for (const [column, values] of cases) {
      const allowed = column.enum ? new Set(column.enum) : undefined;
      const write = quickField(column, allowed);
      for (const value of values) {
        const fast = written((out) => write(out, value));
        if (fast === undefined) continue;
        quick++;
        expect(fast, `${column.type} ${JSON.stringify(String(value))}`).toBe(
          written((out) => writeField(out, column, allowed, value)),
        );
      }
    }
    // The common values took the quick path (else this test would prove nothing).
    expect(quick).toBeGreaterThanOrEqual(20);
  });

  it('writes timestamps as microseconds since 2000 across the whole range, and rejects year 0', () => {
    const column: ColumnDef = { name: 'at', type: 'timestamp' };
    for (const value of [
      '2000-01-01T00:00:00.000Z',
      '1999-12-31T23:59:59.999999Z',
      '2026-01-02T03:04:05.123456Z',
      '2024-02-29T12:00:00.000Z',
      '1970-01-01T00:00:00.000Z',
      '1700-03-01T00:00:00.000001Z',
      '0001-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999999Z',
    ]) {
      const quick = written((out) => quickField(column, undefined)(out, value));
      const general = written((out) => writeField(out, column, undefined, value));
      expect(general, value).toBe(expectedMicros(value));
      if (quick !== undefined) expect(quick, value).toBe(general);
    }
    // No year 0, and no year past 9999, also once an offset moves the time there.
    for (const value of [
      '0000-06-01T00:00:00.000Z',
      '0000-01-01T00:30:00+01:00',
      '0001-01-01T00:30:00+01:00',
      '9999-12-31T23:00:00-05:00',
    ])
      expect(
        written((out) => writeField(out, column, undefined, value)),
        value,
      ).toBeUndefined();
    expect(written((out) => writeField(out, column, undefined, '0001-01-01T00:30:00-01:00'))).toBe(
      expectedMicros('0001-01-01T01:30:00.000Z'),
    );
  });

  it('--dry-run names every timestamp the copy would refuse, plainly canonical or not', async () => {
    const file = path.join(tempDir('oxy-dry-stamps-'), 'source.sqlite');
    const db = await sourceWithSchema(file);
    const insert = db.prepare(
      `insert into messages (id, thread_id, role, content, created_at, updated_at) values (?, ?, 'user', 'x', ?, ?)`,
    );
    const good = [
      '2026-01-02T03:04:05.000Z',
      '2024-02-29T00:00:00.000Z',
      '0999-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00+01:00',
      '2026-01-01T24:00:00.000Z', // midnight of the next day, for PostgreSQL too
    ];
    const bad = [
      '0000-06-01T00:00:00.000Z',
      '2026-19-01T00:00:00.000Z',
      '2026-02-30T00:00:00.000Z',
      '2026-01-32T00:00:00.000Z',
      '9999-12-31T23:00:00-05:00',
      'yesterday',
    ];
    const ids = [...good, ...bad].map((stamp, i) => {
      const id = `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`;
      insert.run(id, id, stamp, '2026-01-01T00:00:00.000Z');
      return id;
    });
    registerChecks(db);
    const found = checkEntity(db, entityByTable('messages'), 20).filter((p) => p.column === 'created_at');
    db.close();
    expect(found.map((p) => p.ids)).toEqual([ids.slice(good.length)]);
  });

  it('--dry-run and the copy agree on JSON holding \\u0000: the escape is refused, a backslash before "u0000" is not', async () => {
    const values = ['{"k":"\\u0000"}', '["a\\\\\\u0000"]', '{"k":"\\\\u0000"}', '{"k":"\\\\u0000","b":"\\/"}'];
    const { ids, found, copied } = await dryRunAndCopy('oxy-dry-nul-', values);
    expect(found.map((p) => p.ids)).toEqual([ids.slice(0, 2)]);
    expect(copied).toEqual([false, false, true, true]);
  });

  it("--dry-run and the copy agree on JSON numbers beyond numeric's range, short ones included", async () => {
    const values = [
      '{"n":1e-16384}', // short, a negative exponent
      '{"n":1E+131072}', // short, a six-digit exponent
      '[0e1073741823]', // zero, an exponent numeric refuses
      `[${'9'.repeat(131073)}]`, // long, no exponent
      '{"n":1e-16383,"id":"0e1234567"}', // in range; "e" after a digit in a string
      '{"n":1e131071}',
      '[1.5E+3]',
    ];
    const { ids, found, copied } = await dryRunAndCopy('oxy-dry-numeric-', values);
    expect(found.map((p) => [p.problem, p.ids])).toEqual([
      ["a JSON number beyond numeric's range (jsonb cannot store it)", ids.slice(0, 4)],
    ]);
    expect(copied).toEqual([false, false, false, false, true, true, true]);
  });

  it('PostgreSQL reads every type as written, and prints back the same bytes', async () => {
    const db = await freshDatabase('postgres');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        'create table t (u uuid, x text, at timestamptz, n bigint, b boolean, j jsonb, y bytea, e text)',
      );
      const columns: ColumnDef[] = [
        { name: 'u', type: 'uuid' },
        { name: 'x', type: 'text' },
        { name: 'at', type: 'timestamp' },
        { name: 'n', type: 'integer' },
        { name: 'b', type: 'boolean' },
        { name: 'j', type: 'json' },
        { name: 'y', type: 'bytes' },
        { name: 'e', type: 'text', nullable: true },
      ];
      const rows: unknown[][] = [
        [
          '0190F3C2-7B1A-7C3D-8E4F-0123456789AB',
          'ü 😀 \\ \t',
          '1700-03-01T00:00:00.000001Z',
          '-9223372036854775808',
          1,
          '{"b": [1, 2.50], "a": null}',
          Buffer.from([0, 255]),
          null,
        ],
        [
          '0190f3c2-7b1a-7c3d-8e4f-0123456789ac',
          '',
          '9999-12-31T23:59:59.999999Z',
          '9007199254740993',
          0,
          '"s"',
          Buffer.alloc(0),
          'e',
        ],
        [
          '0190f3c2-7b1a-7c3d-8e4f-0123456789ad',
          'a',
          '2026-02-28T23:59:59.120Z',
          '-42',
          0,
          '[]',
          Buffer.from('hi'),
          null,
        ],
      ];
      const out = new CopyBinaryWriter(64);
      for (const row of rows) {
        out.row(columns.length);
        columns.forEach(
          (column, i) => quickField(column, undefined)(out, row[i]) || writeField(out, column, undefined, row[i]),
        );
      }
      const sent = Buffer.concat([COPY_HEADER, out.finish(), COPY_TRAILER]);
      const stream = client.query(copyFrom('copy t from stdin (format binary)'));
      stream.end(sent);
      await finished(stream);
      const printed = (
        await client.query(
          `select u::text, x, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as at, n::text, b, j::text, encode(y, 'hex') as y, e from t order by u`,
        )
      ).rows;
      expect(printed).toEqual([
        {
          u: '0190f3c2-7b1a-7c3d-8e4f-0123456789ab',
          x: 'ü 😀 \\ \t',
          at: '1700-03-01T00:00:00.000001',
          n: '-9223372036854775808',
          b: true,
          j: '{"a": null, "b": [1, 2.50]}',
          y: '00ff',
          e: null,
        },
        {
          u: '0190f3c2-7b1a-7c3d-8e4f-0123456789ac',
          x: '',
          at: '9999-12-31T23:59:59.999999',
          n: '9007199254740993',
          b: false,
          j: '"s"',
          y: '',
          e: 'e',
        },
        {
          u: '0190f3c2-7b1a-7c3d-8e4f-0123456789ad',
          x: 'a',
          at: '2026-02-28T23:59:59.120000',
          n: '-42',
          b: false,
          j: '[]',
          y: '6869',
          e: null,
        },
      ]);
      const back: Buffer[] = [];
      for await (const chunk of client.query(copyTo('copy (select * from t order by u) to stdout (format binary)')))
        back.push(chunk as Buffer);
      expect(Buffer.concat(back).equals(sent)).toBe(true);
    } finally {
      await client.end();
      await db.cleanup();
    }
  });

  const dir = tempDir('oxy-chunks-');
  const pools: EncoderPool[] = [];
  afterAll(async () => {
    for (const pool of pools) await pool.close();
  });

  it('an encoder thread that stops on its own fails what waits on it, and close() still returns', async () => {
    // The threads run the built worker (dist/), as the CLI does; from src/ the pool encodes inline.
    const { EncoderPool: BuiltPool } = (await import(
      '../../dist/transfer/encoder-pool.js' as string
    )) as typeof import('../../src/transfer/encoder-pool.js');
    const db = openSqlite(path.join(dir, 'pool.sqlite'));
    const pool = new BuiltPool(db, path.join(dir, 'no-such-dir', 'source.sqlite'), 2);
    expect(pool.size).toBe(2);
    const stopped = await pool.check('messages').catch((error: unknown) => error);
    expect(String(stopped)).toMatch(/cannot open database|encoder thread stopped/i);
    // Stopped during the source check, before the target was touched: nothing to resume.
    expect(asTransferError(stopped, 'before-ledger').hint).toBe(
      'the target holds no record of this migration yet; run the same command again',
    );
    expect(asTransferError(stopped, 'target-unfinished').hint).toMatch(/recorded as unfinished.*--resume$/);
    expect(asTransferError(stopped, 'before-ledger').message).toMatch(/^the migration was interrupted: /);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the threads have exited by now
    const closed = await Promise.race([
      pool.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(resolve, 5_000, 'still waiting')),
    ]);
    expect(closed).toBe('closed');
    db.close();
  });

  it('names text and JSON stored as bytes that are not UTF-8, and copies a real U+FFFD as it is', async () => {
    const file = path.join(dir, 'utf8.sqlite');
    const db = await sourceWithSchema(file);
    const now = '2026-01-01T00:00:00.000Z';
    const id = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
    const insert = (n: number, content: string, metadata: string) =>
      db
        .prepare(
          `insert into messages (id, thread_id, role, content, metadata, created_at, updated_at)
           values (?, ?, 'user', ${content}, ${metadata}, ?, ?)`,
        )
        .run(id(n), id(0), now, now);
    insert(1, `'a real \ufffd'`, `'{"k":"\ufffd"}'`);
    insert(2, `cast(x'61c328' as text)`, 'null'); // 'a', then a lead byte without its continuation
    insert(3, `'fine'`, `cast(x'7b2261223a22ff227d' as text)`); // {"a":"<ff>"}
    const encoder = new BatchEncoder(db, entityByTable('messages'));
    const real = encoder.encode(null, id(1), 10);
    expect(real.rows).toBe(1);
    expect(Buffer.from(real.data).includes(Buffer.from('a real \ufffd'))).toBe(true);
    expect(Buffer.from(real.data).includes(Buffer.from('{"k": "\ufffd"}'))).toBe(true);
    expect(() => encoder.encode(id(1), id(2), 10)).toThrow(`messages row ${id(2)} column content: invalid UTF-8`);
    expect(() => encoder.encode(id(2), id(3), 10)).toThrow(`messages row ${id(3)} column metadata: invalid UTF-8`);
    db.close();
  });

  it('reads an entity in id order in planned ranges, cutting a range short where its data grows past the chunk size', async () => {
    const file = path.join(dir, 'source.sqlite');
    const db = await sourceWithSchema(file);
    const now = '2026-01-01T00:00:00.000Z';
    const insert = db.prepare(
      `insert into messages (id, thread_id, role, content, created_at, updated_at) values (?, ?, 'user', ?, ?, ?)`,
    );
    const ids: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < 6_000; i++) {
        const id = `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`;
        ids.push(id);
        // Every 1000th row is 300 kB: two of them pass a chunk's size limit.
        insert.run(id, ids[0], i % 1000 === 999 ? 'x'.repeat(300_000) : `message ${i}`, now, now);
      }
    })();
    registerChecks(db);
    const pool = new EncoderPool(db, file, 2);
    pools.push(pool);
    const reader = new ChunkReader(pool, db, 'messages', ids[1_499]!);
    const seen: string[] = [];
    let chunks = 0;
    for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
      chunks++;
      const ids = binaryIds(chunk.data);
      expect(ids.length).toBe(chunk.rows);
      seen.push(...ids);
      expect(seen.at(-1)).toBe(chunk.lastId);
      expect(chunk.data.length).toBeLessThan(2 * 300_000 + (1 << 19));
    }
    expect(seen).toEqual(ids.slice(1_500));
    expect(chunks).toBeGreaterThan(2);
    db.close();
  });
});
