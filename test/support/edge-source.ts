import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlite } from '../../src/db/sqlite-driver.js';
import { loadConfig } from '../../src/config.js';
import { openMigratedDatabase } from '../../src/db/open-app-database.js';
import { createAppServices } from '../../src/services/app-services.js';

export const BIG_INT = 9_223_372_036_854_775_807n; // the largest SQLite / PostgreSQL bigint
export const MICROS = '2026-03-04T05:06:07.123456Z';
export const LONG_TEXT = 'x'.repeat(1024 * 1024 - 3) + '😀'; // 1 MB with a non-BMP character at the end
export const BLOB = Buffer.from([0, 1, 0, 255, 0, 127, 0]);

/**
 * An oxy SQLite database in a fresh state folder with two rows in every entity (three users: the
 * local owner `oxy serve` creates is there too): one with every
 * nullable column NULL and empty strings, one with edge values (emoji, 1 MB text, nested unicode
 * JSON, microsecond timestamps, the largest integers, blobs with zero bytes).
 */
export async function buildEdgeSource(): Promise<{ stateDir: string; file: string; url: string; cleanup(): void }> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-edge-'));
  const file = path.join(stateDir, 'db.sqlite');
  const config = loadConfig({ OXY_STATE_DIR: stateDir });
  const { database } = await openMigratedDatabase(config);
  const services = await createAppServices(config, database);
  const repo = services.repo;
  // `oxy serve` creates the local owner on first start; having it here keeps the source stable.
  await services.auth.ensureLocalOwner();
  const unicode = {
    ключ: ['値', { emoji: '👩‍💻', nested: { deep: [1, 2.5, -0.001, null, true, ''] } }],
    'a"b\\c': 'tab\tnl\n',
  };
  const user = await repo.insert('users', {
    email: 'edge@example.com',
    name: '',
    role: 'admin',
    status: 'active',
    last_login_at: null,
  });
  const user2 = await repo.insert('users', {
    email: 'émoji😀@example.com',
    name: 'Zoë 😀',
    role: 'member',
    status: 'disabled',
    last_login_at: MICROS,
  });
  await repo.insert('sessions', {
    user_id: user.id,
    token_hash: 'a'.repeat(64),
    expires_at: MICROS,
    revoked_at: null,
    last_seen_at: null,
  });
  await repo.insert('sessions', {
    user_id: user2.id,
    token_hash: '0'.repeat(64),
    expires_at: '2026-03-04T05:06:08.000001Z',
    revoked_at: MICROS,
    last_seen_at: MICROS,
  });
  const ws = await repo.insert('workspaces', { name: '', slug: 'edge', owner_id: user.id });
  await repo.insert('workspaces', { name: 'Ünïcode 😀', slug: 'edge-2', owner_id: user2.id });
  await repo.insert('workspace_members', { workspace_id: ws.id, user_id: user.id, role: 'owner' });
  await repo.insert('workspace_members', { workspace_id: ws.id, user_id: user2.id, role: 'viewer' });
  const project = await repo.insert('projects', { workspace_id: ws.id, name: 'p 😀', settings: unicode });
  const project2 = await repo.insert('projects', { workspace_id: ws.id, name: '', settings: {} });
  const db = await repo.insert('databases', {
    project_id: project.id,
    name: 'warehouse',
    kind: 'duckdb',
    config: { path: '/data/x.duckdb' },
  });
  await repo.insert('databases', { project_id: project2.id, name: '', kind: 'mysql', config: {} });
  const wf = await repo.insert('workflows', {
    project_id: project.id,
    name: 'wf',
    definition: 'name: wf\ntasks: []\n',
    parsed: { name: 'wf', tasks: [] },
  });
  const wf2 = await repo.insert('workflows', { project_id: project2.id, name: '', definition: '', parsed: null });
  const agent = await repo.insert('agents', {
    project_id: project.id,
    database_id: db.id,
    name: 'a',
    model: 'gpt-4o',
    definition: LONG_TEXT,
    parsed: unicode,
  });
  await repo.insert('agents', {
    project_id: project2.id,
    database_id: null,
    name: '',
    model: null,
    definition: '',
    parsed: null,
  });
  const thread = await repo.insert('threads', {
    project_id: project.id,
    agent_id: agent.id,
    workflow_id: wf.id,
    user_id: user2.id,
    title: '😀'.repeat(1000),
    is_processing: true,
  });
  const thread2 = await repo.insert('threads', {
    project_id: project2.id,
    agent_id: null,
    workflow_id: null,
    user_id: null,
    title: '',
    is_processing: false,
  });
  await repo.insert('messages', {
    thread_id: thread.id,
    role: 'assistant',
    content: LONG_TEXT,
    input_tokens: Number.MAX_SAFE_INTEGER,
    output_tokens: 0,
    metadata: { sql: 'select "ü" from t where a = \'b\'', rows: [[1, null]] },
  });
  await repo.insert('messages', {
    thread_id: thread2.id,
    role: 'user',
    content: '',
    input_tokens: 0,
    output_tokens: 0,
    metadata: null,
  });
  const run = await repo.insert('runs', {
    workflow_id: wf.id,
    thread_id: thread.id,
    status: 'failed',
    variables: [1, 'two', { three: 3 }],
    started_at: MICROS,
    finished_at: '2026-03-04T05:06:08.000001Z',
    error: 'boom\n\ttrace',
    run_index: 1,
  });
  const run2 = await repo.insert('runs', {
    workflow_id: wf2.id,
    thread_id: null,
    status: 'pending',
    variables: null,
    started_at: null,
    finished_at: null,
    error: null,
    run_index: 7,
  });
  await repo.insert('run_steps', {
    run_id: run.id,
    step_index: 0,
    name: 'q',
    status: 'succeeded',
    input: { a: 1 },
    output: 'scalar string',
    started_at: MICROS,
    finished_at: MICROS,
    duration_ms: 0,
    path: 'loop[0].q',
    task_type: 'execute_sql',
    error: null,
  });
  await repo.insert('run_steps', {
    run_id: run2.id,
    step_index: 1,
    name: '',
    status: 'pending',
    input: null,
    output: null,
    started_at: null,
    finished_at: null,
    duration_ms: null,
    path: null,
    task_type: null,
    error: 'ünïcode\nerror',
  });
  await repo.insert('run_events', { run_id: run.id, seq: 1, type: 'run_started', data: { at: MICROS } });
  await repo.insert('run_events', {
    run_id: run.id,
    seq: 2,
    type: 'step_finished',
    data: { output: [1, 'x'], big: '9007199254740993' },
  });
  await repo.insert('charts', {
    project_id: project.id,
    thread_id: thread.id,
    run_id: run.id,
    title: 'c',
    spec: { mark: 'bar', data: [] },
  });
  await repo.insert('charts', { project_id: project2.id, thread_id: null, run_id: null, title: '', spec: {} });
  const ds = await repo.insert('datasets', { database_id: db.id, name: 'main', description: null });
  await repo.insert('datasets', { database_id: db.id, name: '', description: '' });
  const table = await repo.insert('tables', {
    dataset_id: ds.id,
    name: 'orders',
    kind: 'view',
    row_count: 0,
    description: 'ü',
  });
  await repo.insert('tables', { dataset_id: ds.id, name: 'empty', kind: 'table', row_count: null, description: null });
  await repo.insert('columns', {
    table_id: table.id,
    name: 'id',
    data_type: 'bigint',
    is_nullable: false,
    ordinal: 1,
    description: null,
  });
  await repo.insert('columns', {
    table_id: table.id,
    name: 'note',
    data_type: 'text',
    is_nullable: true,
    ordinal: 2,
    description: '',
  });
  await repo.insert('jobs', {
    project_id: project.id,
    kind: 'run',
    payload: { n: 1 },
    status: 'running',
    priority: -5,
    attempts: 2,
    max_attempts: 3,
    run_at: MICROS,
    lease_owner: 'host-1',
    lease_expires_at: MICROS,
    last_error: 'x',
  });
  await repo.insert('jobs', {
    project_id: null,
    kind: '',
    payload: {},
    status: 'queued',
    priority: 0,
    attempts: 0,
    max_attempts: 1,
    run_at: '2026-01-01T00:00:00.000Z',
    lease_owner: null,
    lease_expires_at: null,
    last_error: null,
  });
  await repo.insert('queries', { project_id: project.id, database_id: db.id, name: 'q', sql: 'select 1;\n-- 😀' });
  await repo.insert('queries', { project_id: project2.id, database_id: null, name: '', sql: '' });
  await services.secrets.create({ scope: 'global', name: 'api-token', value: 's3cr3t-value' });
  await repo.insert('secrets', {
    workspace_id: ws.id,
    scope: 'raw',
    name: 'blob',
    ciphertext: BLOB,
    nonce: Buffer.alloc(0),
    key_id: 'hash:sha256',
    user_id: user.id,
    expires_at: MICROS,
    revoked_at: null,
  });
  await database.close();
  // Values the API cannot write: integers beyond 2^53.
  const raw = openSqlite(file);
  raw.prepare('update "tables" set row_count = ? where name = ?').run(BIG_INT, 'orders');
  raw.prepare('update run_steps set duration_ms = ? where step_index = 0').run(-BIG_INT - 1n);
  raw.close();
  return {
    stateDir,
    file,
    url: `sqlite://${file}`,
    cleanup: () => fs.rmSync(stateDir, { recursive: true, force: true }),
  };
}
