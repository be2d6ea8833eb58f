import { ensureStateDir, type Config } from '../config.js';
import { connectDatabase, type AppDatabase } from './connect.js';
import { migrateToLatest } from './migrator.js';
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
