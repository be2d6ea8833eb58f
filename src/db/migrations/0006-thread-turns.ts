import { sql, type Kysely } from 'kysely';
import type { StorageDialect } from '../dialect/storage-dialect.js';

/**
 * Threads know which server process runs their turn (`turn_owner`) and when it last said it was
 * alive (`turn_heartbeat_at`), so a server starting next to others on one database releases only
 * the turns of processes that died.
 */
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  await db.schema
    .alterTable('threads')
    .addColumn('turn_owner', sql.raw(dialect.columnType('text')))
    .execute();
  await db.schema
    .alterTable('threads')
    .addColumn('turn_heartbeat_at', sql.raw(dialect.columnType('timestamp')))
    .execute();
}
