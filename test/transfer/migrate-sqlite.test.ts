import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlite } from '../../src/db/sqlite-driver.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../src/db/migrations/index.js';
import { loadConfig } from '../../src/config.js';
import { openMigratedDatabase } from '../../src/db/open-app-database.js';
import { entities, entityByTable, TABLE_NAMES } from '../../src/db/entities.js';
import { firstDifference } from '../../src/transfer/verify-entity.js';
import { buildApp } from '../../src/server/app.js';
import { createAppServices } from '../../src/services/app-services.js';
import { freshDatabase } from '../support/backends.js';
import { BIG_INT, BLOB, buildEdgeSource } from '../support/edge-source.js';
import { runOxy } from '../support/run-cli.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const ROWS = (table: string) => (table === 'users' ? 3 : 2);
const FOREIGN_KEYS = entities.flatMap((e) => e.columns.filter((c) => 'references' in c)).length;

type Report = {
  ok: boolean;
  entities: {
    entity: string;
    sourceRows: number;
    migratedRows: number;
    checksumOk: boolean | null;
    problems: string[];
  }[];
  error?: string;
};

async function query(url: string, text: string, values: unknown[] = []): Promise<any[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Every table in every schema of the target, with its row count: what "writes nothing" compares. */
async function catalogSnapshot(url: string): Promise<string> {
  const tables = await query(
    url,
    `select table_schema, table_name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') order by 1, 2`,
  );
  const schemas = await query(
    url,
    `select nspname from pg_namespace where nspname not like 'pg_%' and nspname <> 'information_schema' order by 1`,
  );
  return JSON.stringify({ tables, schemas });
}

async function listAll(stateDir: string, databaseUrl: string): Promise<Record<string, unknown>> {
  const config = loadConfig({ OXY_STATE_DIR: stateDir, OXY_DATABASE_URL: databaseUrl });
  const { database } = await openMigratedDatabase(config);
  const services = await createAppServices(config, database);
  // Read-only: a server starting read-write releases abandoned thread turns, which would change what is compared.
  const app = await buildApp(services, { readonly: true });
  const out: Record<string, unknown> = {};
  try {
    for (const table of TABLE_NAMES) {
      // Server-internal entities (sessions) have no route: read them through the repository.
      if (entityByTable(table).api === 'none') {
        out[table] = (await services.repo.list(table, { limit: 500 })).items;
        continue;
      }
      const res = await app.inject({ url: `/api/${table}?limit=500` });
      expect(res.statusCode, `${table}: ${res.body.slice(0, 200)}`).toBe(200);
      out[table] = res.json().items;
    }
  } finally {
    await app.close();
    await database.close();
  }
  return out;
}

describe('oxy migrate-sqlite', () => {
  let source: Awaited<ReturnType<typeof buildEdgeSource>>;
  const cleanups: (() => Promise<void> | void)[] = [];
  const target = async () => {
    const db = await freshDatabase('postgres');
    cleanups.push(db.cleanup);
    return db.url;
  };

  beforeAll(async () => {
    source = await buildEdgeSource();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    source.cleanup();
  });

  it('copies every entity faithfully and proves it, and the API shows the same data on both backends', async () => {
    const to = await target();
    const result = await runOxy(['migrate-sqlite', '--from', source.url, '--to', to, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.entities.map((e) => e.entity)).toEqual(TABLE_NAMES);
    for (const e of report.entities) {
      expect(e.sourceRows, e.entity).toBe(ROWS(e.entity));
      expect(e.migratedRows, e.entity).toBe(ROWS(e.entity));
      expect(e.checksumOk, e.entity).toBe(true);
    }
    // Values that JavaScript numbers cannot hold, and bytes, checked in PostgreSQL itself.
    expect((await query(to, `select row_count::text as v from "tables" where name = 'orders'`))[0].v).toBe(
      BIG_INT.toString(),
    );
    expect((await query(to, `select duration_ms::text as v from run_steps where step_index = 0`))[0].v).toBe(
      (-BIG_INT - 1n).toString(),
    );
    expect(
      Buffer.compare((await query(to, `select ciphertext from secrets where name = 'blob'`))[0].ciphertext, BLOB),
    ).toBe(0);
    expect(
      (
        await query(
          to,
          `select to_char(started_at at time zone 'UTC', 'US') as us from runs where started_at is not null`,
        )
      )[0].us,
    ).toBe('123456');
    const sealed = openSqlite(source.file, { readonly: true })
      .prepare(`select ciphertext, nonce from secrets where name = 'api-token'`)
      .get() as { ciphertext: Buffer; nonce: Buffer };
    const copied = (await query(to, `select ciphertext, nonce from secrets where name = 'api-token'`))[0];
    expect(Buffer.compare(copied.ciphertext, sealed.ciphertext)).toBe(0);
    expect(Buffer.compare(copied.nonce, sealed.nonce)).toBe(0);
    // The same JSON from every list endpoint (and the sealed secret still opens: same state folder, same key).
    const before = await listAll(source.stateDir, source.url);
    const after = await listAll(source.stateDir, to);
    for (const table of TABLE_NAMES) expect(after[table], table).toEqual(before[table]);
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
    // A second run is refused: the target is not empty.
    const again = await runOxy(['migrate-sqlite', '--from', source.url, '--to', to]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds oxy data/);
    expect(again.stderr).toMatch(/--restart/);
    expect(again.stderr).toMatch(/drop and recreate/);
  });

  it('--dry-run checks everything and writes nothing, not even the schema', async () => {
    const to = await target();
    const before = await catalogSnapshot(to);
    const result = await runOxy(['migrate-sqlite', '--from', source.url, '--to', to, '--dry-run', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.entities.find((e) => e.entity === 'messages')?.sourceRows).toBe(2);
    expect(await catalogSnapshot(to)).toBe(before);
    // The source as a plain file path, as people type it, means the same file.
    const byPath = await runOxy(['migrate-sqlite', '--from', source.file, '--to', to, '--dry-run', '--json']);
    expect(byPath.code, byPath.stderr).toBe(0);
    expect((JSON.parse(byPath.stdout) as Report).entities.find((e) => e.entity === 'messages')?.sourceRows).toBe(2);
  });

  it('reports rows PostgreSQL would reject, stops without committing that entity, and leaves the target unfinished', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-bad-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const bad = path.join(dir, 'db.sqlite');
    fs.copyFileSync(source.file, bad);
    const raw = openSqlite(bad);
    raw.pragma('foreign_keys = OFF');
    const orphan = '01900000-0000-7000-8000-00000000dead';
    const thread = (raw.prepare('select thread_id from messages limit 1').get() as { thread_id: string }).thread_id;
    raw
      .prepare(
        `insert into messages (id, thread_id, role, content, input_tokens, output_tokens, metadata, created_at, updated_at)
                 values (?, ?, 'user', 'orphan', 0, 0, null, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      )
      .run(orphan, '01900000-0000-7000-8000-000000000000');
    const badJson = '01900000-0000-7000-8000-0000000beef0';
    raw
      .prepare(
        `insert into messages (id, thread_id, role, content, input_tokens, output_tokens, metadata, created_at, updated_at)
                 values (?, ?, 'user', 'bad json', 0, 0, '{"unclosed": ', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      )
      .run(badJson, thread);
    raw.close();

    const to = await target();
    const dry = await runOxy(['migrate-sqlite', '--from', `sqlite://${bad}`, '--to', to, '--dry-run', '--json']);
    expect(dry.code).toBe(1);
    const plan = JSON.parse(dry.stdout) as Report;
    const problems = plan.entities.find((e) => e.entity === 'messages')!.problems.join('\n');
    expect(problems).toContain(`messages row ${orphan} column thread_id`);
    expect(problems).toMatch(/orphaned foreign key/);
    expect(problems).toContain(`messages row ${badJson} column metadata: invalid JSON`);

    const run = await runOxy(['migrate-sqlite', '--from', `sqlite://${bad}`, '--to', to]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: cannot copy messages: messages row \S+ column (thread_id|metadata)/m);
    expect((await query(to, 'select count(*)::int as n from messages'))[0].n).toBe(0);
    expect((await query(to, 'select status from oxy_transfer.run'))[0].status).toBe('running');
    // A half-copied target is never mistaken for a finished one.
    const serve = await runOxy(
      ['serve', '--port', '0'],
      { OXY_DATABASE_URL: to, OXY_STATE_DIR: dir },
      { timeoutMs: 30_000 },
    );
    expect(serve.code).toBe(1);
    expect(serve.stderr).toMatch(/unfinished `oxy migrate-sqlite`/);
    expect(serve.stderr).toMatch(/--resume/);
    // Without --resume/--restart a new run is refused, naming both ways out.
    const fresh = await runOxy(['migrate-sqlite', '--from', `sqlite://${bad}`, '--to', to]);
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toMatch(/--resume, or start over with --restart/);
  });

  it('names the row holding a JSON number jsonb cannot store, in the dry run and the copy, before PostgreSQL sees it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-numeric-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const bad = path.join(dir, 'db.sqlite');
    fs.copyFileSync(source.file, bad);
    const raw = openSqlite(bad);
    const thread = (raw.prepare('select thread_id from messages limit 1').get() as { thread_id: string }).thread_id;
    const huge = '01900000-0000-7000-8000-0000000face0';
    // Valid JSON (SQLite's json_valid agrees), but numeric holds at most 16383 digits after the point.
    raw
      .prepare(
        `insert into messages (id, thread_id, role, content, input_tokens, output_tokens, metadata, created_at, updated_at)
                 values (?, ?, 'user', 'tiny', 0, 0, ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      )
      .run(huge, thread, `{"p":0.${'1'.repeat(16384)}}`);
    raw.close();

    const to = await target();
    const dry = await runOxy(['migrate-sqlite', '--from', bad, '--to', to, '--dry-run', '--json']);
    expect(dry.code).toBe(1);
    const problems = (JSON.parse(dry.stdout) as Report).entities.find((e) => e.entity === 'messages')!.problems;
    expect(problems).toEqual([
      `messages row ${huge} column metadata: a JSON number beyond numeric's range (jsonb cannot store it) (1 row: ${huge})`,
    ]);
    const run = await runOxy(['migrate-sqlite', '--from', bad, '--to', to]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^Error: cannot copy messages: messages row ${huge} column metadata: JSON that jsonb cannot store: the number 0\\.1{10}…1{8} \\(16386 characters\\) is beyond numeric's range`,
        'm',
      ),
    );
    expect(run.stderr).not.toMatch(/overflows/);
    expect((await query(to, 'select count(*)::int as n from messages'))[0].n).toBe(0);
  });

  it('refuses missing, non-SQLite and corrupt sources, and a missing target, with one-line errors', async () => {
    const to = await target();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-src-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const missing = await runOxy(['migrate-sqlite', '--from', `sqlite://${dir}/nope.sqlite`, '--to', to]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error: SQLite source not found/m);
    fs.writeFileSync(path.join(dir, 'text.sqlite'), 'hello, not a database');
    const text = await runOxy(['migrate-sqlite', '--from', `sqlite://${dir}/text.sqlite`, '--to', to]);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/is not a SQLite database/);
    const corrupt = path.join(dir, 'corrupt.sqlite');
    fs.copyFileSync(source.file, corrupt);
    const fd = fs.openSync(corrupt, 'r+');
    const page = Buffer.alloc(4096, 0xab);
    for (let offset = 4096 * 3; offset < fs.statSync(corrupt).size; offset += 4096 * 7)
      fs.writeSync(fd, page, 0, 4096, offset);
    fs.closeSync(fd);
    const broken = await runOxy(['migrate-sqlite', '--from', `sqlite://${corrupt}`, '--to', to]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/corrupt|cannot be read|malformed/);
    // Damage in one table's pages only (the schema reads fine): that table's quick_check names it,
    // before anything is read for the copy or written to the target.
    const damaged = path.join(dir, 'damaged.sqlite');
    fs.copyFileSync(source.file, damaged);
    const rw = openSqlite(damaged);
    rw.pragma('foreign_keys = OFF');
    const add = rw.prepare(
      `insert into messages (id, thread_id, role, content, created_at, updated_at)
       values (?, '01900000-0000-7000-8000-000000000000', 'user', ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
    );
    rw.transaction(() => {
      for (let i = 0; i < 400; i++) add.run(`01900000-0000-7000-9000-${String(i).padStart(12, '0')}`, 'x'.repeat(1500));
    })();
    rw.pragma('journal_mode = delete');
    rw.close();
    const damagedFd = fs.openSync(damaged, 'r+');
    fs.writeSync(damagedFd, page, 0, 4096, fs.statSync(damaged).size - 4096 * 40);
    fs.closeSync(damagedFd);
    const damagedRun = await runOxy(['migrate-sqlite', '--from', `sqlite://${damaged}`, '--to', to]);
    expect(damagedRun.code).toBe(1);
    expect(damagedRun.stderr).toMatch(/^Error: \S+ is corrupt \(quick_check: messages: .+\)$/m);
    expect(
      await query(
        to,
        `select table_name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')`,
      ),
    ).toEqual([]);
    const newer = path.join(dir, 'newer.sqlite');
    fs.copyFileSync(source.file, newer);
    const raw = openSqlite(newer);
    raw
      .prepare(`insert into kysely_migration (name, timestamp) values ('9999_future', '2030-01-01T00:00:00.000Z')`)
      .run();
    raw.close();
    const tooNew = await runOxy(['migrate-sqlite', '--from', `sqlite://${newer}`, '--to', to]);
    expect(tooNew.code).toBe(1);
    expect(tooNew.stderr).toMatch(
      new RegExp(`has schema version ${LATEST_SCHEMA_VERSION + 1}, newer than this oxy \\(${LATEST_SCHEMA_VERSION}\\)`),
    );
    const badTarget = new URL(to);
    badTarget.pathname = '/oxy_missing_target_db';
    const missingDb = await runOxy(['migrate-sqlite', '--from', source.url, '--to', badTarget.toString()]);
    expect(missingDb.code).toBe(1);
    expect(missingDb.stderr).toMatch(/database "oxy_missing_target_db" does not exist/);
    expect(missingDb.stderr).not.toMatch(/retrying/);
    const noTarget = await runOxy(['migrate-sqlite', '--from', source.url]);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toMatch(/POSTGRES_URL/);
    const noThreads = await runOxy(['migrate-sqlite', '--from', source.url, '--to', to, '--threads', '0']);
    expect(noThreads.code).toBe(2);
    expect(noThreads.stderr).toMatch(/'0' is not a count \(1-16\)/);
    // Nothing was written by any of the refusals.
    expect(
      (await query(to, `select count(*)::int as n from information_schema.tables where table_schema = 'public'`))[0].n,
    ).toBe(0);
  });

  it('waits for a PostgreSQL that is not up yet (exponential backoff), and resumes after the connection is lost mid-copy', async () => {
    const to = new URL(await target());
    const proxy = await TcpProxy.reserve({ host: to.hostname, port: Number(to.port || 5432) });
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(to);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    // The server "starts" once the migration has found it down and said it retries (not after a
    // fixed delay: a slow start of the CLI would find it up already), and goes away after ~600 kB
    // of COPY data.
    let listening = false;
    const upAfterFirstRetry = (stderr: string) => {
      if (!listening && /retrying in /.test(stderr)) {
        listening = true;
        void proxy.listen();
      }
    };
    proxy.cutWhenUploaded(600_000);
    const first = await runOxy(
      ['migrate-sqlite', '--from', source.url, '--to', viaProxy.toString(), '--batch-size', '1'],
      {},
      { onStderr: upAfterFirstRetry },
    );
    expect(first.stderr).toMatch(/retrying in 0\.5 s \(attempt 2 of \d+\)/);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/^Error: /m);
    expect((await query(to.toString(), 'select status from oxy_transfer.run'))[0].status).toBe('running');
    const resumed = await runOxy(['migrate-sqlite', '--from', source.url, '--to', to.toString(), '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout) as Report;
    expect(report.ok).toBe(true);
    for (const e of report.entities) {
      expect(e.migratedRows, e.entity).toBe(ROWS(e.entity));
      expect(e.checksumOk, e.entity).toBe(true);
    }
    for (const table of TABLE_NAMES) {
      const [row] = await query(
        to.toString(),
        `select count(*)::int as n, count(distinct id)::int as d from "${table}"`,
      );
      expect(row, table).toEqual({ n: ROWS(table), d: ROWS(table) });
    }
    expect((await query(to.toString(), 'select status from oxy_transfer.run'))[0].status).toBe('finished');
    // Foreign keys deferred for the copy are back.
    expect(
      (
        await query(
          to.toString(),
          `select count(*)::int as n from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace`,
        )
      )[0].n,
    ).toBe(FOREIGN_KEYS);
  });

  it('names the first differing row when a copy does not match its source', async () => {
    const to = await target();
    expect((await runOxy(['migrate-sqlite', '--from', source.url, '--to', to])).code).toBe(0);
    const [changed] = await query(to, `update messages set content = content || '!' where content = '' returning id`);
    const sqlite = openSqlite(source.file, { readonly: true });
    const client = new pg.Client({ connectionString: to });
    await client.connect();
    try {
      const diff = await firstDifference(sqlite, client, entityByTable('messages'));
      expect(diff).toEqual({ id: changed.id, detail: 'column content differs' });
    } finally {
      await client.end();
      sqlite.close();
    }
  });

  it('--restart empties a non-empty target and copies again; --resume with nothing to resume is refused', async () => {
    const to = await target();
    expect((await runOxy(['migrate'], { OXY_DATABASE_URL: to })).code).toBe(0);
    const serveOwner = await runOxy(['migrate-sqlite', '--from', source.url, '--to', to, '--resume']);
    expect(serveOwner.code).toBe(1);
    expect(serveOwner.stderr).toMatch(/no unfinished migration to resume/);
    await query(
      to,
      `insert into users (id, email, name, role, status, created_at, updated_at) values ('01900000-0000-7000-8000-000000000001', 'x@y', 'x', 'member', 'active', now(), now())`,
    );
    const restarted = await runOxy(['migrate-sqlite', '--from', source.url, '--to', to, '--restart', '--json']);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect((await query(to, 'select count(*)::int as n from users'))[0].n).toBe(3);
    expect((await query(to, `select count(*)::int as n from users where email = 'x@y'`))[0].n).toBe(0);
  });
});
