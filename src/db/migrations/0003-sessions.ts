import type { Kysely } from 'kysely';
import type { EntityDef } from '../entities.js';
import type { StorageDialect } from '../dialect/storage-dialect.js';
import { createEntityTable } from './create-table.js';

/** A frozen snapshot of the `sessions` entity as this migration creates it (later edits need a new migration). */
const sessions: EntityDef = {
  table: 'sessions',
  api: 'none',
  columns: [
    { name: 'id', type: 'uuid', managed: true },
    { name: 'user_id', type: 'uuid', managed: true, references: { table: 'users', onDelete: 'cascade' } },
    { name: 'token_hash', type: 'text', unique: true, managed: true, hidden: true, maxLength: 64 },
    { name: 'expires_at', type: 'timestamp', managed: true },
    { name: 'revoked_at', type: 'timestamp', nullable: true, managed: true },
    { name: 'last_seen_at', type: 'timestamp', nullable: true, managed: true },
    { name: 'created_at', type: 'timestamp', managed: true },
    { name: 'updated_at', type: 'timestamp', managed: true },
  ],
};

/** Server-side sessions: a signed-in browser holds a token whose hash is a row here, so logout and `oxy users disable` can end it. */
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  await createEntityTable(db, dialect, sessions);
}
