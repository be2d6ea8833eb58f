import { sql, type Kysely } from 'kysely';
import type { EntityDef } from '../entities.js';
import type { StorageDialect } from '../dialect/storage-dialect.js';
import { createEntityTable } from './create-table.js';

const STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];
const ADDED_STEP_COLUMNS = ['path', 'task_type', 'error'];

/** Frozen snapshots of the tables as this migration leaves them (later edits need a new migration). */
const runSteps: EntityDef = {
  table: 'run_steps',
  columns: [
    { name: 'id', type: 'uuid', managed: true },
    { name: 'run_id', type: 'uuid', references: { table: 'runs', onDelete: 'cascade' } },
    { name: 'step_index', type: 'integer' },
    { name: 'name', type: 'text', maxLength: 200 },
    { name: 'status', type: 'text', enum: STATUSES, default: 'pending' },
    { name: 'input', type: 'json', nullable: true },
    { name: 'output', type: 'json', nullable: true },
    { name: 'started_at', type: 'timestamp', nullable: true },
    { name: 'finished_at', type: 'timestamp', nullable: true },
    { name: 'duration_ms', type: 'integer', nullable: true },
    { name: 'path', type: 'text', nullable: true },
    { name: 'task_type', type: 'text', nullable: true },
    { name: 'error', type: 'text', nullable: true },
    { name: 'created_at', type: 'timestamp', managed: true },
    { name: 'updated_at', type: 'timestamp', managed: true },
  ],
  uniques: [['run_id', 'step_index']],
};

const runEvents: EntityDef = {
  table: 'run_events',
  api: 'none',
  columns: [
    { name: 'id', type: 'uuid', managed: true },
    { name: 'run_id', type: 'uuid', references: { table: 'runs', onDelete: 'cascade' } },
    { name: 'seq', type: 'integer' },
    { name: 'type', type: 'text' },
    { name: 'data', type: 'json' },
    { name: 'created_at', type: 'timestamp', managed: true },
    { name: 'updated_at', type: 'timestamp', managed: true },
  ],
  uniques: [['run_id', 'seq']],
};

/**
 * Workflow runs that run: runs are numbered per workflow (`run_index`, existing runs numbered in
 * creation order) and know the queue job running them (`job_id`), steps record where they sit (`path`), their task type and error, and every
 * run's events are kept in order (`run_events`) so a late or reconnecting subscriber replays them.
 * `runs` gains its column last (other tables reference it, so it cannot be rebuilt); `run_steps`,
 * which nothing references, is rebuilt so its new columns sit before the timestamps.
 */
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  await db.schema
    .alterTable('runs')
    .addColumn('run_index', sql.raw(dialect.columnType('integer')), (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update runs set run_index = (
      select count(*) from runs earlier
      where earlier.workflow_id = runs.workflow_id
        and (earlier.created_at < runs.created_at or (earlier.created_at = runs.created_at and earlier.id <= runs.id)))`.execute(
    db,
  );
  await dialect.addUnique(db, 'runs', ['workflow_id', 'run_index']);
  await db.schema
    .alterTable('runs')
    .addColumn('job_id', sql.raw(dialect.columnType('uuid')))
    .execute();

  const kept = runSteps.columns.map((c) => c.name).filter((name) => !ADDED_STEP_COLUMNS.includes(name));
  const columns = sql.join(kept.map((name) => sql.ref(name)));
  await sql`create table run_steps_0005 as select ${columns} from run_steps`.execute(db);
  await db.schema.dropTable('run_steps').execute();
  await createEntityTable(db, dialect, runSteps);
  await sql`insert into run_steps (${columns}) select ${columns} from run_steps_0005`.execute(db);
  await db.schema.dropTable('run_steps_0005').execute();

  await createEntityTable(db, dialect, runEvents);
}
