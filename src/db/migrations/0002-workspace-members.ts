import { sql, type Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { EntityDef } from '../entities.js';
import type { StorageDialect } from '../dialect/storage-dialect.js';
import { createEntityTable } from './create-table.js';
import schema from './0002-workspace-members.schema.json' with { type: 'json' };

const [members, secrets] = schema as unknown as [EntityDef, EntityDef];

/**
 * Workspace members with roles, and secrets that belong to a workspace. Every existing workspace
 * gets its `owner_id` as its `owner` member. `secrets` gains `workspace_id` (unique now per
 * workspace, scope and name): its rows are copied through a temporary table, because SQLite can
 * neither drop a constraint nor add a column anywhere but last. Frozen definitions:
 * 0002-workspace-members.schema.json.
 */
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  await createEntityTable(db, dialect, members);
  const workspaces = await db.selectFrom('workspaces').select(['id']).orderBy('id').execute();
  for (const { id } of workspaces) {
    await sql`insert into workspace_members (id, workspace_id, user_id, role, created_at, updated_at)
      select ${uuidv7()}, id, owner_id, 'owner', created_at, created_at from workspaces where id = ${id}`.execute(db);
  }
  const kept = secrets.columns.map((c) => c.name).filter((name) => name !== 'workspace_id');
  const columns = sql.join(kept.map((name) => sql.ref(name)));
  await sql`create table secrets_0002 as select ${columns} from secrets`.execute(db);
  await db.schema.dropTable('secrets').execute();
  await createEntityTable(db, dialect, secrets);
  await sql`insert into secrets (${columns}) select ${columns} from secrets_0002`.execute(db);
  await db.schema.dropTable('secrets_0002').execute();
}
