import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cell, Connector, ResultStream } from '../../../src/services/connectors/connector.js';
import { CONNECTORS } from '../../../src/services/connectors/registry.js';
import { ENGINE_CASES, userDatabase, type UserDatabase } from '../../support/user-databases.js';

/** `n` from 0 to count-1 (and a padded text column, to weigh the rows), in each engine's SQL. */
function series(kind: string, count: number, pad = 0): string {
  const text = (n: string) =>
    pad > 0
      ? `, ${kind === 'sqlite' ? `printf('%0${pad}d', ${n})` : `lpad(cast(${n} as ${kind === 'mysql' ? 'char' : 'varchar'}), ${pad}, '0')`} as t`
      : '';
  if (kind === 'postgres') return `select n${text('n')} from generate_series(0, ${count - 1}) as g(n)`;
  if (kind === 'duckdb') return `select range as n${text('range')} from range(${count})`;
  if (kind === 'sqlite')
    return `with recursive s(n) as (select 0 union all select n + 1 from s where n < ${count - 1}) select n${text('n')} from s`;
  // MariaDB stops recursion at 1,000 by default: a thousand times a thousand.
  return `with recursive s(n) as (select 0 union all select n + 1 from s where n < 999)
    select a.n * 1000 + b.n as n${text('a.n * 1000 + b.n')} from s a cross join s b where a.n * 1000 + b.n < ${count} order by 1`;
}

/** A statement that runs far longer than any test waits for. */
const SLOW: Record<string, string> = {
  postgres: 'select pg_sleep(30)',
  mysql: 'select sleep(30)',
  duckdb: 'select count(*) from range(100000000000)',
  sqlite: 'with recursive s(n) as (select 0 union all select n + 1 from s) select count(*) from s',
};

/** Values whose JSON form each engine must keep (the same as `run` gives). */
const VALUES: Record<string, string> = {
  duckdb: `select 9007199254740993::bigint as big, 12345678901234567890.123::decimal(38,3) as amount,
    timestamptz '2024-01-02 03:04:05.678+00' as ts, '\\x01\\x02\\xFF'::blob as bin, null as absent, true as yes`,
  sqlite: `select 9007199254740993 as big, x'0102ff' as bin, null as absent, 1.5 as half`,
  postgres: `select 9007199254740993::bigint as big, 12345678901234567890.123::numeric as amount,
    timestamptz '2024-01-02 03:04:05.678+00' as ts, '\\x0102ff'::bytea as bin, null as absent, true as yes`,
  mysql: `select cast(9007199254740993 as signed) as big, cast(12345678901234567890.123 as decimal(30,3)) as amount,
    timestamp '2024-01-02 03:04:05.678' as ts, x'0102ff' as bin, null as absent`,
};

async function readAll(stream: ResultStream): Promise<Cell[][][]> {
  const batches: Cell[][][] = [];
  try {
    for await (const batch of stream.batches) batches.push(batch);
  } finally {
    await stream.close();
  }
  return batches;
}

const sqlCode = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code?: string }) => error.code,
  );

for (const engine of ENGINE_CASES.filter((e) => !e.dataset)) {
  describe(`streaming a result (${engine.label})`, () => {
    let db: UserDatabase;
    let connector: Connector;

    beforeAll(async () => {
      db = await userDatabase(engine.kind);
      connector = CONNECTORS[db.kind](db.config, db.password);
    });
    afterAll(async () => {
      await connector?.close();
      await db?.cleanup();
    });

    it('streams every row past the 10,000 row cap, in order, in batches', async () => {
      const stream = await connector.stream(series(engine.kind, 25_000), { timeoutMs: 10_000, batchSize: 1_000 });
      const batches = await readAll(stream);
      const values = batches.flat().map((row) => Number(row[0]));
      expect([stream.columns[0]!.name, values.length, batches.length > 1]).toEqual(['n', 25_000, true]);
      expect(values.every((v, i) => v === i)).toBe(true);
    });

    it('converts values exactly as run does', async () => {
      const expected = await connector.run(VALUES[engine.kind]!, { limit: 10, timeoutMs: 10_000 });
      const stream = await connector.stream(VALUES[engine.kind]!, { timeoutMs: 10_000 });
      const rows = (await readAll(stream)).flat();
      expect([stream.columns, rows]).toEqual([expected.columns, expected.rows]);
    });

    it('keeps bigint as text and NULL as null', async () => {
      const rows = (await readAll(await connector.stream(VALUES[engine.kind]!, { timeoutMs: 10_000 }))).flat();
      expect([rows[0]![0], rows[0]!.includes(null)]).toEqual(['9007199254740993', true]);
    });

    it("refuses a write by the engine's own read-only mode", async () => {
      const refused = await sqlCode(connector.stream('delete from items', { timeoutMs: 10_000 }));
      expect(refused).toMatch(/^sql_(refused|failed)$/);
      expect((await db.admin('select count(*) from items')).length).toBe(1);
      expect(Number(Object.values((await db.admin('select count(*) as c from items'))[0] as object)[0])).toBe(3);
    });

    it('gives up with sql_timeout when no row came within the timeout', async () => {
      const started = Date.now();
      const code = await sqlCode(connector.stream(SLOW[engine.kind]!, { timeoutMs: 500 }));
      expect([code, Date.now() - started < 10_000]).toEqual(['sql_timeout', true]);
    });

    it('is cancelled by its signal while the statement runs', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const started = Date.now();
      const code = await sqlCode(
        connector.stream(SLOW[engine.kind]!, { timeoutMs: 60_000, signal: controller.signal }),
      );
      expect([code, Date.now() - started < 10_000]).toEqual(['sql_cancelled', true]);
    });

    it('frees its connection when closed after the first batch', async () => {
      for (let i = 0; i < 6; i++) {
        const stream = await connector.stream(series(engine.kind, 50_000), { timeoutMs: 10_000, batchSize: 500 });
        const first = await stream.batches[Symbol.asyncIterator]().next();
        expect(first.value).toHaveLength(engine.kind === 'duckdb' ? 2048 : 500);
        await stream.close();
      }
      const result = await connector.run('select name from items order by id', { limit: 10, timeoutMs: 10_000 });
      expect(result.rows).toEqual([['apple'], ['pear'], ['plum']]);
    });

    it('streams 300,000 wide rows with the heap bounded', async () => {
      // 300,000 rows of ~200 characters: about 120 MB if held at once; the stream holds a few batches.
      const baseline = process.memoryUsage().heapUsed;
      let peak = 0;
      let count = 0;
      const stream = await connector.stream(series(engine.kind, 300_000, 200), { timeoutMs: 30_000 });
      try {
        for await (const batch of stream.batches) {
          count += batch.length;
          peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
        }
      } finally {
        await stream.close();
      }
      expect(count).toBe(300_000);
      expect(peak).toBeLessThan(64 * 1024 * 1024);
    });
  });
}
