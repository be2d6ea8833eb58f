import { Migrator, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type AppDatabase } from '../../src/db/connect.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, migrateToLatest } from '../../src/db/migrator.js';
import { MIGRATIONS } from '../../src/db/migrations/index.js';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { JobRepository } from '../../src/repositories/job.repository.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../support/backends.js';

/** A database as oxy left it at schema version 3 (before the job queue columns). */
async function schemaThreeDatabase(url: string): Promise<AppDatabase> {
  const app = await connectDatabase(parseDatabaseUrl(url, 'test'));
  const upToSessions = MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name === '0003_sessions') + 1);
  const migrator = new Migrator({
    db: app.db,
    provider: {
      getMigrations: async () =>
        Object.fromEntries(upToSessions.map((m) => [m.name, { up: (db: Kysely<any>) => m.up(db, app.dialect) }])),
    },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  return app;
}

for (const backend of BACKENDS) {
  describe(`migration 0004_job_queue (${backend})`, () => {
    let db: TestDatabase;
    let app: AppDatabase;

    beforeAll(async () => {
      db = await freshDatabase(backend);
      app = await schemaThreeDatabase(db.url);
      await sql`insert into jobs (id, kind, payload, status, priority, attempts, max_attempts, run_at, last_error, created_at, updated_at)
        values ('01900000-0000-7000-8000-000000000001', 'catalog.sync', '{"databaseId":"d1"}', 'failed', 2, 3, 3,
          '2026-01-02T03:04:05.000Z', 'boom', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`.execute(app.db);
      await migrateToLatest(app.db, app.dialect);
    });
    afterAll(async () => {
      await app.close();
      await db.cleanup();
    });

    it('keeps the jobs that were there, with the new columns empty', async () => {
      const job = await new JobRepository(app).find('01900000-0000-7000-8000-000000000001');
      expect(job).toMatchObject({
        kind: 'catalog.sync',
        payload: { databaseId: 'd1' },
        status: 'failed',
        priority: 2,
        attempts: 3,
        run_at: '2026-01-02T03:04:05.000Z',
        last_error: 'boom',
        progress: null,
        result: null,
        started_at: null,
        finished_at: null,
        cancel_requested_at: null,
      });
    });

    it('leaves no temporary table behind', async () => {
      const tables = (await app.db.introspection.getTables()).map((t) => t.name);
      expect(tables).not.toContain('jobs_0004');
      expect(tables).toContain('jobs');
    });
  });
}
