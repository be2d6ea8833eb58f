/**
 * THE list of oxy's application entities, in foreign-key order: a table only references tables
 * that come before it. Migrations are checked against it, and the REST API, migrate-sqlite,
 * `oxy status` and the tests all read it; nothing else lists tables.
 *
 * Every entity has `id` (uuid, primary key), `created_at` and `updated_at` (timestamp); they are
 * added by {@link entity} so that each definition lists only its own fields.
 */

/** A column's logical type; each dialect maps it to its own storage type (see DESIGN.md). */
export type LogicalType = 'uuid' | 'text' | 'timestamp' | 'json' | 'boolean' | 'bytes' | 'integer';

export type OnDelete = 'cascade' | 'set null' | 'restrict';

export interface ColumnDef {
  readonly name: string;
  readonly type: LogicalType;
  readonly nullable?: boolean;
  /** A storage-level default, the same on both backends. */
  readonly default?: string | number | boolean;
  readonly enum?: readonly string[];
  readonly unique?: boolean;
  readonly references?: { readonly table: string; readonly onDelete: OnDelete };
  /** Set by the server (ids, timestamps, hashes): never accepted from API input. */
  readonly managed?: boolean;
  /** Never returned by the API (password hashes, ciphertext). */
  readonly hidden?: boolean;
  /** When the API caller omits it, it is the calling user's id. */
  readonly fromActor?: boolean;
  /**
   * Longest text allowed, in characters (a CHECK on both backends). Text in a unique constraint
   * needs one: PostgreSQL's btree refuses index entries over ~2.7 kB, SQLite would accept them.
   */
  readonly maxLength?: number;
}

export interface EntityDef {
  readonly table: string;
  readonly columns: readonly ColumnDef[];
  /** Unique constraints over several columns. */
  readonly uniques?: readonly (readonly string[])[];
  /** Secondary indexes (foreign-key columns are indexed automatically). */
  readonly indexes?: readonly (readonly string[])[];
  /** How the REST API exposes the entity: 'crud' (default), 'read' (catalog, jobs), 'none' (server-internal: sessions). */
  readonly api?: 'crud' | 'read' | 'none';
  /**
   * The workspace role needed to create, change or delete rows (default 'editor': content).
   * Reading needs 'viewer'. See src/server/permissions.ts.
   */
  readonly writeRole?: WorkspaceRole;
  /** The workspace role needed to delete a row, when stronger than writeRole (a workspace: its owner). */
  readonly deleteRole?: WorkspaceRole;
}

const base = [
  { name: 'id', type: 'uuid', managed: true },
  { name: 'created_at', type: 'timestamp', managed: true },
  { name: 'updated_at', type: 'timestamp', managed: true },
] as const satisfies readonly ColumnDef[];

function entity<
  const T extends string,
  const C extends readonly ColumnDef[],
  const A extends readonly ColumnDef[] = readonly [],
>(def: {
  table: T;
  columns: C;
  /**
   * Columns a later migration added to a table other tables reference: SQLite adds a column only
   * last, and such a table cannot be rebuilt (dropping it would cascade to its dependants), so
   * they come after the timestamps on both backends.
   */
  appended?: A;
  uniques?: readonly (readonly string[])[];
  indexes?: readonly (readonly string[])[];
  api?: 'crud' | 'read' | 'none';
  writeRole?: WorkspaceRole;
  deleteRole?: WorkspaceRole;
}) {
  const { appended, ...rest } = def;
  return { ...rest, columns: [base[0], ...def.columns, base[1], base[2], ...((appended ?? []) as A)] as const };
}

const ref = (table: string, onDelete: OnDelete) => ({ table, onDelete }) as const;

export const RUN_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const DATABASE_KINDS = ['duckdb', 'sqlite', 'postgres', 'mysql'] as const;
/** Longest name of anything a user names (workspaces' projects, agents, queries, secrets…). */
export const NAME_MAX = 200;

export const USER_ROLES = ['owner', 'admin', 'member'] as const;
/** Roles within one workspace, strongest first. */
export const WORKSPACE_ROLES = ['owner', 'admin', 'editor', 'viewer'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

export const entities = [
  entity({
    table: 'users',
    columns: [
      { name: 'email', type: 'text', unique: true, maxLength: 320 },
      { name: 'name', type: 'text', maxLength: NAME_MAX },
      { name: 'role', type: 'text', enum: USER_ROLES, default: 'member' },
      { name: 'password_hash', type: 'text', nullable: true, managed: true, hidden: true },
      { name: 'status', type: 'text', enum: ['active', 'disabled'], default: 'active' },
      { name: 'last_login_at', type: 'timestamp', nullable: true, managed: true },
    ],
  }),
  entity({
    table: 'sessions',
    api: 'none',
    columns: [
      { name: 'user_id', type: 'uuid', managed: true, references: ref('users', 'cascade') },
      /** SHA-256 (hex) of the token the cookie carries; the token itself is never stored. */
      { name: 'token_hash', type: 'text', unique: true, managed: true, hidden: true, maxLength: 64 },
      { name: 'expires_at', type: 'timestamp', managed: true },
      { name: 'revoked_at', type: 'timestamp', nullable: true, managed: true },
      { name: 'last_seen_at', type: 'timestamp', nullable: true, managed: true },
    ],
  }),
  entity({
    table: 'workspaces',
    writeRole: 'admin',
    deleteRole: 'owner',
    columns: [
      { name: 'name', type: 'text', maxLength: NAME_MAX },
      { name: 'slug', type: 'text', unique: true, maxLength: 64 },
      { name: 'owner_id', type: 'uuid', fromActor: true, references: ref('users', 'restrict') },
    ],
  }),
  entity({
    table: 'workspace_members',
    api: 'read',
    writeRole: 'admin',
    columns: [
      { name: 'workspace_id', type: 'uuid', references: ref('workspaces', 'cascade') },
      { name: 'user_id', type: 'uuid', references: ref('users', 'cascade') },
      { name: 'role', type: 'text', enum: WORKSPACE_ROLES },
    ],
    uniques: [['workspace_id', 'user_id']],
  }),
  entity({
    table: 'projects',
    columns: [
      { name: 'workspace_id', type: 'uuid', references: ref('workspaces', 'cascade') },
      { name: 'name', type: 'text', maxLength: NAME_MAX },
      { name: 'settings', type: 'json', default: '{}' },
    ],
    uniques: [['workspace_id', 'name']],
  }),
  entity({
    table: 'databases',
    writeRole: 'admin',
    columns: [
      { name: 'project_id', type: 'uuid', references: ref('projects', 'cascade') },
      { name: 'name', type: 'text', maxLength: NAME_MAX },
      { name: 'kind', type: 'text', enum: DATABASE_KINDS },
      { name: 'config', type: 'json', default: '{}' },
    ],
    uniques: [['project_id', 'name']],
  }),
  entity({
    table: 'workflows',
    columns: [
      { name: 'project_id', type: 'uuid', references: ref('projects', 'cascade') },
      { name: 'name', type: 'text', maxLength: NAME_MAX },
      { name: 'definition', type: 'text' },
      { name: 'parsed', type: 'json', nullable: true, managed: true },
    ],
    uniques: [['project_id', 'name']],
  }),
  entity({
    table: 'agents',
    columns: [
      { name: 'project_id', type: 'uuid', references: ref('projects', 'cascade') },
      { name: 'database_id', type: 'uuid', nullable: true, references: ref('databases', 'set null') },
      { name: 'name', type: 'text', maxLength: NAME_MAX },
      { name: 'model', type: 'text', nullable: true },
      { name: 'definition', type: 'text' },
      { name: 'parsed', type: 'json', nullable: true, managed: true },
    ],
    uniques: [['project_id', 'name']],
  }),
  entity({
    table: 'threads',
    columns: [
      { name: 'project_id', type: 'uuid', references: ref('projects', 'cascade') },
      { name: 'agent_id', type: 'uuid', nullable: true, references: ref('agents', 'set null') },
      { name: 'workflow_id', type: 'uuid', nullable: true, references: ref('workflows', 'set null') },
      { name: 'user_id', type: 'uuid', nullable: true, fromActor: true, references: ref('users', 'set null') },
      { name: 'title', type: 'text' },
      { name: 'is_processing', type: 'boolean', default: false },
    ],
    /** Which server process runs the thread's turn, and when it last said it is alive (a dead one's turns are released). */
    appended: [
      { name: 'turn_owner', type: 'text', nullable: true, managed: true },
      { name: 'turn_heartbeat_at', type: 'timestamp', nullable: true, managed: true },
    ],
  }),
  entity({
    table: 'messages',
    columns: [
      { name: 'thread_id', type: 'uuid', references: ref('threads', 'cascade') },
      { name: 'role', type: 'text', enum: ['user', 'assistant', 'tool'] },
      { name: 'content', type: 'text' },
      { name: 'input_tokens', type: 'integer', default: 0 },
      { name: 'output_tokens', type: 'integer', default: 0 },
      { name: 'metadata', type: 'json', nullable: true },
    ],
  }),
  entity({
    table: 'runs',
    /** Created by POST /api/workflows/:id/runs and written by the run service, never posted as rows. */
    api: 'read',
    columns: [
      { name: 'workflow_id', type: 'uuid', references: ref('workflows', 'cascade') },
      { name: 'thread_id', type: 'uuid', nullable: true, references: ref('threads', 'set null') },
      { name: 'status', type: 'text', enum: RUN_STATUSES, default: 'pending' },
      { name: 'variables', type: 'json', nullable: true },
      { name: 'started_at', type: 'timestamp', nullable: true },
      { name: 'finished_at', type: 'timestamp', nullable: true },
      { name: 'error', type: 'text', nullable: true },
    ],
    /** The run's number within its workflow (1, 2, 3…), set when the run is created. */
    appended: [
      { name: 'run_index', type: 'integer', default: 0, managed: true },
      /** The queue job running it (jobs come later in this list, so no foreign key): cancel reaches its worker. */
      { name: 'job_id', type: 'uuid', nullable: true, managed: true },
    ],
    uniques: [['workflow_id', 'run_index']],
  }),
  entity({
    table: 'run_steps',
    api: 'read',
    columns: [
      { name: 'run_id', type: 'uuid', references: ref('runs', 'cascade') },
      { name: 'step_index', type: 'integer' },
      { name: 'name', type: 'text', maxLength: NAME_MAX },
      { name: 'status', type: 'text', enum: RUN_STATUSES, default: 'pending' },
      { name: 'input', type: 'json', nullable: true },
      { name: 'output', type: 'json', nullable: true },
      { name: 'started_at', type: 'timestamp', nullable: true },
      { name: 'finished_at', type: 'timestamp', nullable: true },
      { name: 'duration_ms', type: 'integer', nullable: true },
      /** Where the task sits in the run (`per_store[2].line`): the key a retry reuses outputs by. */
      { name: 'path', type: 'text', nullable: true },
      { name: 'task_type', type: 'text', nullable: true },
      { name: 'error', type: 'text', nullable: true },
    ],
    uniques: [['run_id', 'step_index']],
  }),
  entity({
    table: 'run_events',
    api: 'none',
    columns: [
      { name: 'run_id', type: 'uuid', references: ref('runs', 'cascade') },
      /** 1, 2, 3… within the run: the Server-Sent Events id a reconnecting client resumes after. */
      { name: 'seq', type: 'integer' },
      { name: 'type', type: 'text' },
      { name: 'data', type: 'json' },
    ],
    uniques: [['run_id', 'seq']],
  }),
  entity({
    table: 'charts',
    columns: [
      { name: 'project_id', type: 'uuid', references: ref('projects', 'cascade') },
      { name: 'thread_id', type: 'uuid', nullable: true, references: ref('threads', 'set null') },
      { name: 'run_id', type: 'uuid', nullable: true, references: ref('runs', 'set null') },
      { name: 'title', type: 'text' },
      { name: 'spec', type: 'json' },
    ],
  }),
  entity({
    table: 'datasets',
    api: 'read',
    columns: [
      { name: 'database_id', type: 'uuid', references: ref('databases', 'cascade') },
      { name: 'name', type: 'text', maxLength: NAME_MAX },
      { name: 'description', type: 'text', nullable: true },
    ],
    uniques: [['database_id', 'name']],
  }),
  entity({
    table: 'tables',
    api: 'read',
    columns: [
      { name: 'dataset_id', type: 'uuid', references: ref('datasets', 'cascade') },
      { name: 'name', type: 'text', maxLength: NAME_MAX },
      { name: 'kind', type: 'text', enum: ['table', 'view'], default: 'table' },
      { name: 'row_count', type: 'integer', nullable: true },
      { name: 'description', type: 'text', nullable: true },
    ],
    uniques: [['dataset_id', 'name']],
  }),
  entity({
    table: 'columns',
    api: 'read',
    columns: [
      { name: 'table_id', type: 'uuid', references: ref('tables', 'cascade') },
      { name: 'name', type: 'text', maxLength: NAME_MAX },
      { name: 'data_type', type: 'text' },
      { name: 'is_nullable', type: 'boolean', default: true },
      { name: 'ordinal', type: 'integer' },
      { name: 'description', type: 'text', nullable: true },
    ],
    uniques: [['table_id', 'name']],
  }),
  entity({
    table: 'jobs',
    api: 'read',
    columns: [
      { name: 'project_id', type: 'uuid', nullable: true, references: ref('projects', 'cascade') },
      { name: 'kind', type: 'text' },
      { name: 'payload', type: 'json', default: '{}' },
      { name: 'status', type: 'text', enum: JOB_STATUSES, default: 'queued' },
      { name: 'priority', type: 'integer', default: 0 },
      { name: 'attempts', type: 'integer', default: 0 },
      { name: 'max_attempts', type: 'integer', default: 3 },
      { name: 'run_at', type: 'timestamp' },
      { name: 'lease_owner', type: 'text', nullable: true },
      { name: 'lease_expires_at', type: 'timestamp', nullable: true },
      { name: 'last_error', type: 'text', nullable: true },
      /** What the handler last reported (e.g. {phase, done, total}); shown by GET /api/jobs/:id. */
      { name: 'progress', type: 'json', nullable: true, managed: true },
      /** What the handler returned. */
      { name: 'result', type: 'json', nullable: true, managed: true },
      { name: 'started_at', type: 'timestamp', nullable: true, managed: true },
      { name: 'finished_at', type: 'timestamp', nullable: true, managed: true },
      /** Set by a cancel of a running job; the worker holding it sees it and aborts the handler. */
      { name: 'cancel_requested_at', type: 'timestamp', nullable: true, managed: true },
    ],
    indexes: [['status', 'priority', 'run_at']],
  }),
  entity({
    table: 'queries',
    columns: [
      { name: 'project_id', type: 'uuid', references: ref('projects', 'cascade') },
      { name: 'database_id', type: 'uuid', nullable: true, references: ref('databases', 'set null') },
      { name: 'name', type: 'text', maxLength: NAME_MAX },
      { name: 'sql', type: 'text' },
    ],
    uniques: [['project_id', 'name']],
  }),
  entity({
    table: 'secrets',
    writeRole: 'admin',
    columns: [
      /** The workspace whose admins manage the secret (or that an API key is limited to); NULL: instance-wide. */
      { name: 'workspace_id', type: 'uuid', nullable: true, references: ref('workspaces', 'cascade') },
      { name: 'scope', type: 'text', default: 'global', maxLength: NAME_MAX },
      { name: 'name', type: 'text', maxLength: NAME_MAX },
      { name: 'ciphertext', type: 'bytes', managed: true, hidden: true },
      { name: 'nonce', type: 'bytes', managed: true, hidden: true },
      { name: 'key_id', type: 'text', managed: true },
      { name: 'user_id', type: 'uuid', nullable: true, managed: true, references: ref('users', 'cascade') },
      { name: 'expires_at', type: 'timestamp', nullable: true },
      { name: 'revoked_at', type: 'timestamp', nullable: true, managed: true },
    ],
    uniques: [['workspace_id', 'scope', 'name']],
  }),
] as const;

export type Entities = typeof entities;
export type Entity = Entities[number];
export type TableName = Entity['table'];

/** Looks an entity up by table name; throws on an unknown name (a programming error). */
export function entityByTable(table: string): EntityDef {
  const found = (entities as readonly EntityDef[]).find((e) => e.table === table);
  if (!found) throw new Error(`unknown entity table: ${table}`);
  return found;
}

export const TABLE_NAMES: readonly TableName[] = entities.map((e) => e.table);
