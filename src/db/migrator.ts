import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { dbErrors } from './db-errors.js';
import type { StorageDialect } from './dialect/storage-dialect.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.js';

export const MIGRATION_TABLE = 'kysely_migration';
export const MIGRATION_LOCK_TABLE = 'kysely_migration_lock';

export interface SchemaStatus {
  /** Applied migrations this binary knows. */
  version: number;
  latest: number;
  pending: string[];
  /** Applied migrations this binary does not know: the database is newer than the binary. */
  unknown: string[];
}

/** Reads which migrations the database has applied, without changing anything. */
export async function schemaStatus(db: Kysely<any>): Promise<SchemaStatus> {
  const applied = await appliedMigrations(db);
  const known = new Set(MIGRATIONS.map((m) => m.name));
  return {
    version: applied.filter((name) => known.has(name)).length,
    latest: LATEST_SCHEMA_VERSION,
    pending: MIGRATIONS.map((m) => m.name).filter((name) => !applied.includes(name)),
    unknown: applied.filter((name) => !known.has(name)),
  };
}

/** Refuses, without changing anything, a database that is not at exactly this binary's schema. */
export async function assertSchemaCurrent(db: Kysely<any>): Promise<SchemaStatus> {
  const status = await schemaStatus(db);
  if (status.unknown.length > 0) throw dbErrors.schemaTooNew(status.unknown);
  if (status.pending.length > 0) throw dbErrors.schemaOutdated(status);
  return status;
}

/**
 * The schema version of a database this process has migrated: one cheap query (no catalog
 * introspection), for health checks.
 */
export async function currentSchemaVersion(db: Kysely<any>): Promise<number> {
  const known = new Set(MIGRATIONS.map((m) => m.name));
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
  return rows.filter((r) => known.has(r.name)).length;
}

async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(
    db,
  );
  return rows.map((r) => r.name);
}

/**
 * Applies every pending migration in one transaction under a lock (an advisory lock on
 * PostgreSQL, BEGIN IMMEDIATE on SQLite), so concurrent callers apply each migration once.
 * Refuses a database that has migrations this binary does not know.
 *
 * @example
 * const { applied } = await migrateToLatest(db, dialect); // ['0001_initial'] on a new database
 */
export async function migrateToLatest(
  db: Kysely<any>,
  dialect: StorageDialect,
): Promise<{ applied: string[]; version: number }> {
  const before = await schemaStatus(db);
  if (before.unknown.length > 0) throw dbErrors.schemaTooNew(before.unknown);
  const provider: MigrationProvider = {
    async getMigrations() {
      const byName: Record<string, Migration> = {};
      for (const m of MIGRATIONS) byName[m.name] = { up: (trx) => m.up(trx, dialect) };
      return byName;
    },
  };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const message = error instanceof Error ? error.message : String(error);
    if (/corrupted migrations|missing/i.test(message)) {
      const after = await schemaStatus(db);
      if (after.unknown.length > 0) throw dbErrors.schemaTooNew(after.unknown);
    }
    throw dbErrors.migrationFailed(failed, message, error);
  }
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  return { applied, version: (await schemaStatus(db)).version };
}
