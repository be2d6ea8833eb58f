import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDatabase, type AppDatabase } from '../../src/db/connect.js';
import { migrateToLatest, schemaStatus } from '../../src/db/migrator.js';
import { MIGRATIONS } from '../../src/db/migrations/index.js';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { BACKENDS, freshDatabase, tempDir, type TestDatabase } from '../support/backends.js';
import { runOxy } from '../support/run-cli.js';

for (const backend of BACKENDS) {
  describe(`migrations (${backend})`, () => {
    const open: { db: TestDatabase; app?: AppDatabase }[] = [];
    const fresh = async () => {
      const db = await freshDatabase(backend);
      const app = await connectDatabase(parseDatabaseUrl(db.url, 'test'));
      open.push({ db, app });
      return { db, app };
    };
    afterEach(async () => {
      for (const { db, app } of open.splice(0)) {
        await app?.close();
        await db.cleanup();
      }
    });

    it('apply once, are recorded, and report the schema version', async () => {
      const { app } = await fresh();
      expect(await schemaStatus(app.db)).toEqual({
        version: 0,
        latest: MIGRATIONS.length,
        pending: MIGRATIONS.map((m) => m.name),
        unknown: [],
      });
      expect((await migrateToLatest(app.db, app.dialect)).applied).toEqual(MIGRATIONS.map((m) => m.name));
      expect((await migrateToLatest(app.db, app.dialect)).applied).toEqual([]);
      expect(await schemaStatus(app.db)).toEqual({
        version: MIGRATIONS.length,
        latest: MIGRATIONS.length,
        pending: [],
        unknown: [],
      });
    });

    it('are safe when two oxy processes migrate the same new database at once', async () => {
      const { db } = await fresh();
      const state = tempDir();
      const [a, b] = await Promise.all([
        runOxy(['migrate'], { OXY_DATABASE_URL: db.url, OXY_STATE_DIR: state }),
        runOxy(['migrate'], { OXY_DATABASE_URL: db.url, OXY_STATE_DIR: state }),
      ]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const outputs = [a.stdout, b.stdout].sort();
      expect(outputs[0]).toMatch(/^Applied 0001_initial/);
      expect(outputs[1]).toMatch(new RegExp(`^Database is up to date \\(schema version ${MIGRATIONS.length}`));
      const app = await connectDatabase(parseDatabaseUrl(db.url, 'test'));
      open.push({ db: { ...db, cleanup: async () => undefined }, app });
      const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(app.db);
      expect(rows.rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
    });

    it('refuse a database migrated by a newer oxy, in the API and the CLI', async () => {
      const { db, app } = await fresh();
      await migrateToLatest(app.db, app.dialect);
      await sql`insert into kysely_migration (name, timestamp) values ('9999_future', '2030-01-01T00:00:00.000Z')`.execute(
        app.db,
      );
      await expect(migrateToLatest(app.db, app.dialect)).rejects.toMatchObject({ code: 'schema_too_new' });
      const state = tempDir();
      for (const command of [['migrate'], ['serve', '--port', '0']]) {
        const result = await runOxy(command, { OXY_DATABASE_URL: db.url, OXY_STATE_DIR: state }, { timeoutMs: 30_000 });
        expect(result.code, command.join(' ')).toBe(1);
        expect(result.stderr).toMatch(
          /^Error: the database schema is newer than this oxy \(unknown migrations: 9999_future\)/m,
        );
        expect(result.stderr).toMatch(/^Hint: upgrade oxy/m);
      }
    });

    it('leave nothing half-applied when a migration fails', async () => {
      const { app } = await fresh();
      await sql`create table workflows (id integer)`.execute(app.db);
      await expect(migrateToLatest(app.db, app.dialect)).rejects.toMatchObject({ code: 'migration_failed' });
      const tables = (await app.db.introspection.getTables({ withInternalKyselyTables: true }))
        .map((t) => t.name)
        .sort();
      expect(tables).toEqual(['kysely_migration', 'kysely_migration_lock', 'workflows']);
      const applied = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(app.db);
      expect(Number(applied.rows[0]!.n)).toBe(0);
    });
  });
}
