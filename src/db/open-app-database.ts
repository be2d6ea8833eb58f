import fs from 'node:fs';
import { ensureStateDir, type Config } from '../config.js';
import { connectDatabase, type AppDatabase } from './connect.js';
import { dbErrors } from './db-errors.js';
import { assertSchemaCurrent, migrateToLatest } from './migrator.js';
import { assertNoUnfinishedTransfer, kyselyQueryable } from './unfinished-transfer.js';

/**
 * Opens the configured database for a command: creates the state folder, connects (one-line
 * errors for unreachable servers and bad passwords) and applies pending migrations.
 */
export async function openMigratedDatabase(
  config: Config,
  log: (line: string) => void = () => undefined,
): Promise<{ database: AppDatabase; applied: string[]; version: number }> {
  ensureStateDir(config.stateDir);
  const database = await connectDatabase(config.database);
  try {
    // A half-copied `oxy migrate-sqlite` target must never be mistaken for a finished one.
    if (database.dialect.backend === 'postgres') await assertNoUnfinishedTransfer(kyselyQueryable(database.db));
    const { applied, version } = await migrateToLatest(database.db, database.dialect);
    for (const name of applied) log(`applied migration ${name}`);
    return { database, applied, version };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * Opens the configured database for `--readonly`: creates no folder or file, applies no migration
 * (a read-only PostgreSQL session, a read-only SQLite handle), and refuses a database that is
 * missing, unmigrated or outdated with the command that fixes it.
 */
export async function openReadOnlyDatabase(config: Config): Promise<{ database: AppDatabase }> {
  if (config.database.backend === 'sqlite' && !fs.existsSync(config.database.path)) {
    throw dbErrors.sqliteMissingReadonly(config.database.path);
  }
  const database = await connectDatabase(config.database, { readonly: true });
  try {
    if (database.dialect.backend === 'postgres') await assertNoUnfinishedTransfer(kyselyQueryable(database.db));
    await assertSchemaCurrent(database.db);
    return { database };
  } catch (error) {
    await database.close();
    throw error;
  }
}
