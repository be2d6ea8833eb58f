import { sql, type Kysely } from 'kysely';
import type { EntityDef } from '../entities.js';
import type { StorageDialect } from '../dialect/storage-dialect.js';
import { createEntityTable } from './create-table.js';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const ADDED = ['progress', 'result', 'started_at', 'finished_at', 'cancel_requested_at'];

/** A frozen snapshot of the `jobs` entity as this migration creates it (later edits need a new migration). */
const jobs: EntityDef = {
  table: 'jobs',
  api: 'read',
  columns: [
    { name: 'id', type: 'uuid', managed: true },
    { name: 'project_id', type: 'uuid', nullable: true, references: { table: 'projects', onDelete: 'cascade' } },
    { name: 'kind', type: 'text' },
    { name: 'payload', type: 'json', default: '{}' },
    { name: 'status', type: 'text', enum: STATUSES, default: 'queued' },
    { name: 'priority', type: 'integer', default: 0 },
    { name: 'attempts', type: 'integer', default: 0 },
    { name: 'max_attempts', type: 'integer', default: 3 },
    { name: 'run_at', type: 'timestamp' },
    { name: 'lease_owner', type: 'text', nullable: true },
    { name: 'lease_expires_at', type: 'timestamp', nullable: true },
    { name: 'last_error', type: 'text', nullable: true },
    { name: 'progress', type: 'json', nullable: true, managed: true },
    { name: 'result', type: 'json', nullable: true, managed: true },
    { name: 'started_at', type: 'timestamp', nullable: true, managed: true },
    { name: 'finished_at', type: 'timestamp', nullable: true, managed: true },
    { name: 'cancel_requested_at', type: 'timestamp', nullable: true, managed: true },
    { name: 'created_at', type: 'timestamp', managed: true },
    { name: 'updated_at', type: 'timestamp', managed: true },
  ],
  // Workers claim by status, then priority and run_at: the index serves that scan on both backends.
  indexes: [['status', 'priority', 'run_at']],
};

/**
 * The job queue: jobs gain progress, result, start/finish times and a cancel request. The table is
 * rebuilt through a temporary copy (as 0002 does for secrets) so the new columns sit before
 * `created_at` on both backends: SQLite can add a column only last.
 */
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  const kept = jobs.columns.map((c) => c.name).filter((name) => !ADDED.includes(name));
  const columns = sql.join(kept.map((name) => sql.ref(name)));
  await sql`create table jobs_0004 as select ${columns} from jobs`.execute(db);
  await db.schema.dropTable('jobs').execute();
  await createEntityTable(db, dialect, jobs);
  await sql`insert into jobs (${columns}) select ${columns} from jobs_0004`.execute(db);
  await db.schema.dropTable('jobs_0004').execute();
}
