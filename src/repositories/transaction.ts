import type { AppDatabase } from '../db/connect.js';
import { EntityRepository } from './entity.repository.js';

/**
 * Runs `work` in one transaction of the application database with a repository bound to it:
 * every write commits together or none does. Errors come out as the database threw them (a
 * failed statement aborts a PostgreSQL transaction; see EntityRepository's `inTransaction`).
 */
export function inTransaction<T>(app: AppDatabase, work: (repo: EntityRepository) => Promise<T>): Promise<T> {
  return app.db.transaction().execute((trx) => work(new EntityRepository({ ...app, db: trx }, true)));
}
