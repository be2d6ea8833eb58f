import type { Kysely } from 'kysely';
import type { EntityDef } from '../entities.js';
import type { StorageDialect } from '../dialect/storage-dialect.js';
import { createEntityTable } from './create-table.js';
import schema from './0001-initial.schema.json' with { type: 'json' };

/**
 * The 17 application tables as first released. The definitions are a frozen snapshot of
 * entities.ts (0001-initial.schema.json), so later edits to entities.ts need a new migration;
 * test/db/schema.test.ts fails when the migrated catalog and entities.ts disagree.
 */
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  for (const entity of schema as EntityDef[]) await createEntityTable(db, dialect, entity);
}
