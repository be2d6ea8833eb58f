import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../../src/services/connectors/connector.js';
import { CONNECTORS } from '../../../src/services/connectors/registry.js';
import { ENGINE_CASES, userDatabase, type UserDatabase } from '../../support/user-databases.js';

/** A statement that runs for far longer than the timeout on each engine. */
const SLOW: Record<string, string> = {
  duckdb: 'select count(*) from range(100000000000) a',
  sqlite: 'with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c',
  postgres: 'select pg_sleep(60) as oxy_slow_marker',
  mysql: 'select sleep(60) as oxy_slow_marker',
};

/** What the server still runs of the slow statement, asked from another connection. */
const STILL_RUNNING: Record<string, string> = {
  postgres:
    "select count(*) from pg_stat_activity where query like '%oxy_slow_marker%' and query not like '%pg_stat_activity%'",
  mysql:
    "select count(*) from information_schema.processlist where info like '%oxy_slow_marker%' and info not like '%processlist%'",
};

for (const engine of ENGINE_CASES.filter((e) => !e.dataset)) {
  describe(`statement timeout (${engine.label})`, () => {
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

    it('cancels a statement past its timeout with sql_timeout, in time', async () => {
      const started = Date.now();
      await expect(connector.run(SLOW[engine.kind]!, { limit: 10, timeoutMs: 500 })).rejects.toMatchObject({
        code: 'sql_timeout',
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it.runIf(engine.kind in STILL_RUNNING)('leaves nothing running on the server once cancelled', async () => {
      await connector.run(SLOW[engine.kind]!, { limit: 10, timeoutMs: 500 }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const rows = await db.admin(STILL_RUNNING[engine.kind]!);
      expect(Number((rows[0] as unknown[])[0])).toBe(0);
    });

    it('runs the next statement after a cancelled one', async () => {
      await connector.run(SLOW[engine.kind]!, { limit: 10, timeoutMs: 300 }).catch(() => undefined);
      await expect(connector.run('select count(*) from items', { limit: 10, timeoutMs: 5_000 })).resolves.toMatchObject(
        {
          rowCount: 1,
        },
      );
    });
  });
}
