import path from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type AppDatabase } from '../../src/db/connect.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, migrateToLatest } from '../../src/db/migrator.js';
import { MIGRATIONS } from '../../src/db/migrations/index.js';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { EntityRepository } from '../../src/repositories/entity.repository.js';
import { BACKENDS, freshDatabase, tempDir, type Backend, type TestDatabase } from '../support/backends.js';
import { runOxy } from '../support/run-cli.js';

const SEALED = Buffer.from([0, 1, 2, 0, 255]);

/** A database as oxy left it at schema version 1 (before workspace members), with data in it. */
async function schemaOneDatabase(url: string): Promise<{ app: AppDatabase; owners: Record<string, string> }> {
  const app = await connectDatabase(parseDatabaseUrl(url, 'test'));
  const first = MIGRATIONS[0]!;
  const migrator = new Migrator({
    db: app.db,
    provider: { getMigrations: async () => ({ [first.name]: { up: (db: Kysely<any>) => first.up(db, app.dialect) } }) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  const repo = new EntityRepository(app);
  const ada = await repo.insert('users', { email: 'ada@example.com', name: 'Ada', role: 'owner', status: 'active' });
  const bob = await repo.insert('users', { email: 'bob@example.com', name: 'Bob', role: 'member', status: 'active' });
  const owners: Record<string, string> = {};
  for (const [slug, owner] of [
    ['one', ada],
    ['two', ada],
    ['three', bob],
  ] as const) {
    owners[String((await repo.insert('workspaces', { name: slug, slug, owner_id: owner.id })).id)] = String(owner.id);
  }
  await repo.insert('secrets', {
    scope: 'global',
    name: 'token',
    ciphertext: SEALED,
    nonce: Buffer.alloc(0),
    key_id: 'k',
    user_id: null,
    expires_at: null,
    revoked_at: null,
  });
  return { app, owners };
}

for (const backend of BACKENDS) {
  describe(`migration 0002_workspace_members (${backend})`, () => {
    let db: TestDatabase;
    let app: AppDatabase;
    let owners: Record<string, string>;

    beforeAll(async () => {
      db = await freshDatabase(backend);
      ({ app, owners } = await schemaOneDatabase(db.url));
      await migrateToLatest(app.db, app.dialect);
    });
    afterAll(async () => {
      await app.close();
      await db.cleanup();
    });

    it('gives every existing workspace its owner_id as its one owner member', async () => {
      const members = await new EntityRepository(app).list('workspace_members', { limit: 500 });
      const byWorkspace = Object.fromEntries(
        members.items.map((m) => [m.workspace_id, { user: m.user_id, role: m.role }]),
      );
      expect(byWorkspace).toEqual(
        Object.fromEntries(Object.entries(owners).map(([ws, user]) => [ws, { user, role: 'owner' }])),
      );
    });

    it('keeps existing secrets byte for byte, as instance-wide secrets', async () => {
      const secrets = await new EntityRepository(app).list('secrets');
      expect(secrets.items).toHaveLength(1);
      expect(secrets.items[0]).toMatchObject({ workspace_id: null, scope: 'global', name: 'token', key_id: 'k' });
      expect(Buffer.compare(secrets.items[0]!.ciphertext as Buffer, SEALED)).toBe(0);
    });
  });
}

describe('oxy migrate-sqlite from a SQLite database of schema version 1', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('upgrades a copy, then copies workspace_members with matching row counts and checksums', async () => {
    const source: Backend = 'sqlite';
    const dir = tempDir('oxy-v1-');
    const file = path.join(dir, 'db.sqlite');
    const { app, owners } = await schemaOneDatabase(`sqlite://${file}`);
    await app.close();
    const target = await freshDatabase('postgres');
    cleanups.push(target.cleanup);
    const result = await runOxy(['migrate-sqlite', '--from', `${source}://${file}`, '--to', target.url, '--json'], {
      OXY_STATE_DIR: dir,
    });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      entities: { entity: string; sourceRows: number; migratedRows: number; checksumOk: boolean }[];
    };
    const members = report.entities.find((e) => e.entity === 'workspace_members');
    expect(members).toMatchObject({ sourceRows: 3, migratedRows: 3, checksumOk: true });
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    const rows = (
      await client.query(`select workspace_id::text as ws, user_id::text as u, role from workspace_members`)
    ).rows as { ws: string; u: string; role: string }[];
    await client.end();
    expect(Object.fromEntries(rows.map((r) => [r.ws, r.u]))).toEqual(owners);
  });
});
