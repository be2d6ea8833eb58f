import { openSqlite, type SqliteStatement } from '../src/db/sqlite-driver.js';
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { connectDatabase } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { parseDatabaseUrl } from '../src/db/url.js';

/** Row counts of a generated source, for `messages` = `runSteps` = scale. */
export function shapeFor(scale: number): Record<string, number> {
  const threads = Math.max(4, Math.round(scale / 250));
  return {
    users: 50,
    sessions: 100,
    workspaces: 5,
    workspace_members: 20,
    projects: 20,
    databases: 40,
    workflows: 100,
    agents: 60,
    threads,
    messages: scale,
    runs: threads,
    run_steps: scale,
    run_events: threads * 4,
    charts: Math.max(10, Math.round(scale / 500)),
    datasets: 100,
    tables: 2000,
    columns: 20000,
    jobs: Math.max(10, Math.round(scale / 200)),
    queries: 1000,
    secrets: 100,
  };
}

const WORDS =
  'revenue churn cohort region quarterly average median customers orders growth select from where group by join sum count distinct'.split(
    ' ',
  );

function sentence(i: number, words: number): string {
  let out = '';
  for (let w = 0; w < words; w++) out += (w ? ' ' : '') + WORDS[(i * 7 + w * 13) % WORDS.length];
  return out;
}

/**
 * Writes an oxy SQLite database of realistic shape: every table non-empty, `scale` messages and
 * `scale` run steps over scale/250 threads and runs. Deterministic for a given scale.
 */
/** An agent's SQL for message `i`. */
const question = (i: number) => `select region, sum(revenue) from orders where id > ${i} group by 1`;
const REGION_COLUMNS = [
  { name: 'region', type: 'VARCHAR' },
  { name: 'revenue', type: 'DOUBLE' },
];
const N_S_COLUMNS = [
  { name: 'n', type: 'INTEGER' },
  { name: 's', type: 'VARCHAR' },
];

export async function generateSqliteSource(file: string, scale: number): Promise<Record<string, number>> {
  const app = await connectDatabase(parseDatabaseUrl(`sqlite://${file}`, 'bench'));
  await migrateToLatest(app.db, app.dialect);
  await app.close();
  const db = openSqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const shape = shapeFor(scale);
  const ids: Record<string, string[]> = {};
  const base = Date.UTC(2026, 0, 1);
  const ts = (i: number) => new Date(base + i * 1000).toISOString();
  const micro = (i: number) =>
    `${new Date(base + i * 1000).toISOString().slice(0, 19)}.${String(123456 + (i % 800000)).padStart(6, '0')}Z`;
  const pick = (table: string, i: number) => ids[table]![i % ids[table]!.length]!;
  const insert = (table: string, make: (i: number, id: string) => Record<string, unknown>) => {
    const rows = shape[table]!;
    ids[table] = [];
    let stmt: SqliteStatement | undefined;
    db.transaction(() => {
      for (let i = 0; i < rows; i++) {
        const id = uuidv7();
        const row = { id, ...make(i, id), created_at: ts(i), updated_at: micro(i) };
        stmt ??= db.prepare(
          `insert into "${table}" (${Object.keys(row)
            .map((k) => `"${k}"`)
            .join(', ')}) values (${Object.keys(row)
            .map((k) => `@${k}`)
            .join(', ')})`,
        );
        stmt.run(row);
        if (table !== 'messages' && table !== 'run_steps') ids[table]!.push(id);
      }
    })();
  };
  insert('users', (i) => ({
    email: `user${i}@example.com`,
    name: `User ${i} ✓`,
    role: i === 0 ? 'owner' : 'member',
    password_hash: null,
    status: 'active',
    last_login_at: i % 2 ? ts(i) : null,
  }));
  insert('sessions', (i) => ({
    user_id: pick('users', i),
    token_hash: createHash('sha256').update(`session ${i}`).digest('hex'),
    expires_at: ts(i + 7 * 86_400),
    revoked_at: i % 4 === 0 ? ts(i + 3600) : null,
    last_seen_at: i % 2 ? ts(i + 60) : null,
  }));
  insert('workspaces', (i) => ({ name: `Workspace ${i}`, slug: `ws-${i}`, owner_id: pick('users', i) }));
  // Each workspace's owner first (users 0-4 own workspaces 0-4), then other members of other users.
  insert('workspace_members', (i) => ({
    workspace_id: pick('workspaces', i % 5),
    user_id: pick('users', i < 5 ? i : 10 + i),
    role: i < 5 ? 'owner' : ['admin', 'editor', 'viewer'][i % 3],
  }));
  insert('projects', (i) => ({
    workspace_id: pick('workspaces', i),
    name: `project-${i}`,
    settings: JSON.stringify({ theme: 'dark', limits: { rows: 1000 + i } }),
  }));
  insert('databases', (i) => ({
    project_id: pick('projects', i),
    name: `db-${i}`,
    kind: ['duckdb', 'sqlite', 'postgres', 'mysql'][i % 4],
    config: JSON.stringify({ host: 'localhost', port: 5432 + i }),
  }));
  const yaml = (i: number) => `name: flow-${i}\ntasks:\n  - name: q\n    type: execute_sql\n    sql: select ${i}\n`;
  insert('workflows', (i) => ({
    project_id: pick('projects', i),
    name: `workflow-${i}`,
    definition: yaml(i),
    parsed: JSON.stringify({ name: `flow-${i}`, tasks: [{ name: 'q', type: 'execute_sql', sql: `select ${i}` }] }),
  }));
  insert('agents', (i) => ({
    project_id: pick('projects', i),
    database_id: pick('databases', i),
    name: `agent-${i}`,
    model: 'gpt-4o',
    definition: `model: gpt-4o\n`,
    parsed: JSON.stringify({ model: 'gpt-4o' }),
  }));
  insert('threads', (i) => ({
    project_id: pick('projects', i),
    agent_id: pick('agents', i),
    workflow_id: null,
    user_id: pick('users', i),
    title: `Question ${i}: ${sentence(i, 6)}`,
    is_processing: i % 50 === 0 ? 1 : 0,
  }));
  insert('messages', (i) => ({
    thread_id: pick('threads', i),
    role: ['user', 'assistant', 'tool'][i % 3],
    content: sentence(i, 30 + (i % 40)),
    input_tokens: 100 + (i % 900),
    output_tokens: 50 + (i % 400),
    // As oxy writes them (turn-recorder.ts): keys in code order, not jsonb's.
    metadata:
      i % 3 === 1
        ? JSON.stringify({ toolCalls: [{ id: `call_${i}`, name: 'execute_sql', input: { sql: question(i) } }] })
        : i % 3 === 2
          ? JSON.stringify({
              toolCallId: `call_${i - 1}`,
              toolName: 'execute_sql',
              ok: true,
              sql: question(i - 1),
              result: { columns: REGION_COLUMNS, rows: [['north', i % 1000]], rowCount: 1, truncated: false },
            })
          : null,
  }));
  insert('runs', (i) => ({
    workflow_id: pick('workflows', i),
    thread_id: pick('threads', i),
    status: 'succeeded',
    variables: JSON.stringify({ day: i % 31 }),
    started_at: micro(i),
    finished_at: micro(i + 5),
    error: null,
    // Runs are numbered per workflow: pick() deals workflows round-robin.
    run_index: Math.floor(i / shape.workflows!) + 1,
  }));
  insert('run_steps', (i) => ({
    run_id: ids.runs![Math.floor(i / (scale / shape.runs!)) % shape.runs!],
    step_index: i,
    name: `step-${i % 10}`,
    status: 'succeeded',
    input: JSON.stringify({ sql: `select ${i}` }),
    // A stored task output (stored-output.ts), keys in code order.
    output: JSON.stringify({
      kind: 'table',
      columns: N_S_COLUMNS,
      rows: [[i, 'x']],
      rowCount: 1,
      truncated: false,
    }),
    started_at: micro(i),
    finished_at: micro(i + 1),
    duration_ms: i % 5000,
    path: `loop[${i % 10}].step-${i % 10}`,
    task_type: 'execute_sql',
    error: null,
  }));
  insert('run_events', (i) => ({
    run_id: ids.runs![Math.floor(i / 4)],
    seq: (i % 4) + 1,
    type: ['run_started', 'step_started', 'step_finished', 'run_finished'][i % 4],
    data: JSON.stringify({ path: `step-${i % 10}`, status: 'succeeded' }),
  }));
  insert('charts', (i) => ({
    project_id: pick('projects', i),
    thread_id: pick('threads', i),
    run_id: null,
    title: `Chart ${i}`,
    spec: JSON.stringify({ mark: 'bar', encoding: { x: 'region', y: 'revenue' } }),
  }));
  insert('datasets', (i) => ({ database_id: pick('databases', i), name: `schema_${i}`, description: null }));
  insert('tables', (i) => ({
    dataset_id: pick('datasets', i),
    name: `table_${i}`,
    kind: i % 5 ? 'table' : 'view',
    row_count: i * 1000,
    description: null,
  }));
  insert('columns', (i) => ({
    table_id: pick('tables', i),
    name: `col_${i}`,
    data_type: ['integer', 'text', 'timestamp'][i % 3],
    is_nullable: i % 2,
    ordinal: i % 20,
    description: null,
  }));
  insert('jobs', (i) => ({
    project_id: pick('projects', i),
    kind: 'run_workflow',
    payload: JSON.stringify({ workflow: i }),
    status: 'succeeded',
    priority: i % 3,
    attempts: 1,
    max_attempts: 3,
    run_at: ts(i),
    lease_owner: null,
    lease_expires_at: null,
    last_error: null,
  }));
  insert('queries', (i) => ({
    project_id: pick('projects', i),
    database_id: pick('databases', i),
    name: `query-${i}`,
    sql: `select * from t where id = ${i}`,
  }));
  insert('secrets', (i) => ({
    scope: 'global',
    name: `secret-${i}`,
    ciphertext: Buffer.from([0, 1, 2, i % 256, 0]),
    nonce: Buffer.alloc(12, i % 256),
    key_id: 'bench',
    user_id: null,
    expires_at: null,
    revoked_at: null,
  }));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return shape;
}
