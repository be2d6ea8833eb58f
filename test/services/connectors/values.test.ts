import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../../src/services/connectors/connector.js';
import { CONNECTORS } from '../../../src/services/connectors/registry.js';
import { ENGINE_CASES, userDatabase, type UserDatabase } from '../../support/user-databases.js';

/** The same values written in each engine's SQL (SQLite has no decimal or timestamp type). */
const VALUES: Record<string, Record<string, string>> = {
  duckdb: {
    big: '9007199254740993::bigint',
    dec: '12345678901234567890.123::decimal(38,3)',
    ts: "timestamp '2024-01-02 03:04:05.678'",
    tstz: "timestamptz '2024-01-02 03:04:05.678+00'",
    bin: "'\\x01\\x02\\xFF'::blob",
  },
  sqlite: { big: '9007199254740993', bin: "x'0102ff'" },
  postgres: {
    big: '9007199254740993::bigint',
    dec: '12345678901234567890.123::numeric',
    ts: "timestamp '2024-01-02 03:04:05.678'",
    tstz: "timestamptz '2024-01-02 03:04:05.678+00'",
    bin: "'\\x0102ff'::bytea",
  },
  mysql: {
    big: 'cast(9007199254740993 as signed)',
    dec: 'cast(12345678901234567890.123 as decimal(30,3))',
    ts: "timestamp '2024-01-02 03:04:05.678'",
    bin: "x'0102ff'",
  },
};

const EXPECTED: Record<string, unknown> = {
  big: '9007199254740993',
  dec: '12345678901234567890.123',
  ts: '2024-01-02T03:04:05.678',
  tstz: '2024-01-02T03:04:05.678Z',
  bin: 'AQL/',
};

for (const engine of ENGINE_CASES.filter((e) => !e.dataset)) {
  describe(`values in JSON (${engine.label})`, () => {
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

    for (const [name, expression] of Object.entries(VALUES[engine.kind]!)) {
      it(`returns ${name} as ${JSON.stringify(EXPECTED[name])}`, async () => {
        const result = await connector.run(`select ${expression} as v`, { limit: 1, timeoutMs: 5_000 });
        const cell = result.rows[0]![0];
        expect(name === 'ts' || name === 'tstz' ? String(cell).replace(/0+(Z?)$/, '$1') : cell).toBe(EXPECTED[name]);
      });
    }

    it('returns NULL as null', async () => {
      const result = await connector.run('select null as v', { limit: 1, timeoutMs: 5_000 });
      expect(result.rows).toEqual([[null]]);
    });

    it('fetches at most limit rows and says the result was truncated', async () => {
      const result = await connector.run('select n from big order by n', { limit: 10, timeoutMs: 5_000 });
      expect([result.rowCount, result.truncated]).toEqual([10, true]);
    });

    it('says a result within the limit is whole', async () => {
      const result = await connector.run('select n from big order by n', { limit: 50, timeoutMs: 5_000 });
      expect([result.rowCount, result.truncated]).toEqual([50, false]);
    });

    it('names each column with its engine type', async () => {
      const result = await connector.run('select id, name from items order by id', { limit: 5, timeoutMs: 5_000 });
      expect(result.columns.map((c) => c.name)).toEqual(['id', 'name']);
    });
  });
}
