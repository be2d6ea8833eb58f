import { sql, type Kysely } from 'kysely';
import { postgresDialect } from './dialect/postgres.js';
import { sqliteDialect } from './dialect/sqlite.js';
import type { StorageDialect } from './dialect/storage-dialect.js';
import type { DatabaseTarget } from './url.js';

/** An open application database: the Kysely instance plus the dialect seam that goes with it. */
export interface AppDatabase {
  readonly db: Kysely<any>;
  readonly dialect: StorageDialect;
  readonly target: DatabaseTarget;
  /** One real round trip; throws a one-line DatabaseUnavailableError when it fails. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function dialectFor(target: DatabaseTarget): StorageDialect {
  return target.backend === 'sqlite' ? sqliteDialect : postgresDialect;
}

/**
 * Opens the database named by `target` and proves it answers, turning connection failures
 * (unreachable, wrong password, missing database) into errors that name the fix.
 *
 * @example
 * const app = await connectDatabase(parseDatabaseUrl(url, 'OXY_DATABASE_URL'));
 */
export async function connectDatabase(
  target: DatabaseTarget,
  options: { readonly?: boolean; poolSize?: number } = {},
): Promise<AppDatabase> {
  const dialect = dialectFor(target);
  const db = await dialect.open(target, options);
  const ping = async () => {
    try {
      await sql`select 1`.execute(db);
    } catch (error) {
      throw dialect.connectionError(error, target) ?? error;
    }
  };
  const app: AppDatabase = { db, dialect, target, ping, close: () => db.destroy() };
  try {
    await ping();
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return app;
}
