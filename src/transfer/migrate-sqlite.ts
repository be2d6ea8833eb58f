import type { SqliteDatabase } from '../db/sqlite-driver.js';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { connectWithRetry } from '../db/connect-with-retry.js';
import { pgPoolOf, postgresDialect } from '../db/dialect/postgres.js';
import { entities, entityByTable, type EntityDef } from '../db/entities.js';
import { migrateToLatest, schemaStatus } from '../db/migrator.js';
import type { DatabaseTarget } from '../db/url.js';
import { OxyError } from '../errors.js';
import { copyEntity, type CopyProgress } from './copy-entity.js';
import { WorkerClient } from './worker-client.js';
import { deferConstraints, restoreConstraints } from './deferred-constraints.js';
import { openSqliteSource } from './sqlite-source.js';
import { checkEntity, describeProblem, type SourceProblem } from './source-checks.js';
import { finishLedger, markVerified, readLedger, startLedger, type LedgerProgress } from './transfer-ledger.js';
import { firstDifference, targetChecksumSql } from './verify-entity.js';
import type { TransferReporter } from './transfer-reporter.js';

export type StartMode = 'fresh' | 'resume' | 'restart';

export interface TransferOptions {
  sourcePath: string;
  target: DatabaseTarget;
  dryRun: boolean;
  batchSize: number;
  mode: StartMode;
  reporter: TransferReporter;
}

export interface EntityResult {
  entity: string;
  sourceRows: number;
  migratedRows: number;
  checksumOk: boolean | null;
  seconds: number;
  status: 'copied' | 'resumed' | 'planned' | 'failed';
  problems: string[];
}

export interface TransferReport {
  ok: boolean;
  dryRun: boolean;
  source: string;
  target: string;
  entities: EntityResult[];
  totalRows: number;
  seconds: number;
  error?: string;
}

const ENTITIES = entities as readonly EntityDef[];
const LOCK_KEY = 0x6f78795f6d73; // 'oxy_ms': one migrate-sqlite at a time per target

class TransferError extends OxyError {
  constructor(message: string, hint: string) {
    super('migrate_sqlite_failed', message, { hint, exitCode: 1 });
  }
}

/**
 * `oxy migrate-sqlite`: copies every entity, in entities.ts order, from an oxy SQLite file to an
 * oxy PostgreSQL database, then proves the copy with per-entity counts and content checksums.
 * See DESIGN.md "migrate-sqlite contract".
 */
export async function migrateSqlite(options: TransferOptions): Promise<TransferReport> {
  const { reporter } = options;
  const started = performance.now();
  const source = await openSqliteSource(options.sourcePath);
  if (source.upgradedCopy) reporter.note(`source schema version ${source.schemaVersion} upgraded on a temporary copy`);
  const counts: Record<string, number> = {};
  for (const entity of ENTITIES) {
    counts[entity.table] = Number(
      (source.db.prepare(`select count(*) as n from "${entity.table}"`).get() as { n: number }).n,
    );
  }
  const report: TransferReport = {
    ok: false,
    dryRun: options.dryRun,
    source: options.sourcePath,
    target: options.target.display,
    entities: [],
    totalRows: 0,
    seconds: 0,
  };
  const database = await connectWithRetry(options.target, (line) => reporter.note(line), undefined, { poolSize: 2 });
  const client = await pgPoolOf(database.db).connect();
  try {
    const locked = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [LOCK_KEY]);
    if (!locked.rows[0]?.ok)
      throw new TransferError('another `oxy migrate-sqlite` is running against this target', 'wait for it to finish');
    const context: TransferContext = {
      options,
      source: source.db,
      sourceFile: source.upgradedCopy ?? source.path,
      counts,
      db: database.db,
      client,
      report,
    };
    await (options.dryRun ? planOnly(context) : copyAll(context));
  } catch (caught) {
    // Anything that is not already a one-line oxy error (a lost connection, a server shutting
    // down) interrupted the copy: say so, and how to continue.
    const error =
      caught instanceof OxyError
        ? caught
        : new TransferError(
            `the migration was interrupted: ${caught instanceof Error ? caught.message : String(caught)}`,
            options.dryRun
              ? 'run the dry run again'
              : 'the target is recorded as unfinished; once PostgreSQL answers again, run the same command with --resume',
          );
    report.error = error.message;
    throw Object.assign(error, { report });
  } finally {
    await client.query('select pg_advisory_unlock_all()').catch(() => undefined);
    client.release();
    await database.close();
    source.close();
    report.seconds = (performance.now() - started) / 1000;
    report.totalRows = report.entities.reduce((n, e) => n + e.migratedRows, 0);
  }
  return report;
}

/** Non-empty application tables of the target, if its schema exists. */
async function nonEmptyTables(db: Kysely<any>): Promise<string[]> {
  const status = await schemaStatus(db);
  if (status.version === 0) return [];
  const found: string[] = [];
  for (const entity of ENTITIES) {
    const row = await sql<{
      n: string;
    }>`select count(*) as n from (select 1 from ${sql.table(entity.table)} limit 1) t`.execute(db);
    if (Number(row.rows[0]?.n) > 0) found.push(entity.table);
  }
  return found;
}

/** What one run works with, shared by the dry run and the copy. */
interface TransferContext {
  options: TransferOptions;
  source: SqliteDatabase;
  /** The file the checker worker opens: the user's, or the upgraded temporary copy. */
  sourceFile: string;
  counts: Record<string, number>;
  db: Kysely<any>;
  client: pg.PoolClient;
  report: TransferReport;
}

async function planOnly({ options, source, counts, db, client, report }: TransferContext): Promise<void> {
  const { reporter } = options;
  const problems: SourceProblem[] = [];
  for (const entity of ENTITIES) {
    const found = checkEntity(source, entity);
    problems.push(...found);
    report.entities.push({
      entity: entity.table,
      sourceRows: counts[entity.table] ?? 0,
      migratedRows: 0,
      checksumOk: null,
      seconds: 0,
      status: 'planned',
      problems: found.map(describeProblem),
    });
    reporter.planned(entity.table, counts[entity.table] ?? 0, found.map(describeProblem));
  }
  const ledger = await readLedger(client);
  const occupied = ledger ? [] : await nonEmptyTables(db);
  const targetIssues: string[] = [];
  if (ledger && ledger.run.status !== 'finished')
    targetIssues.push(
      `target holds an unfinished migration from ${ledger.run.source}: a real run needs --resume or --restart`,
    );
  else if (ledger) targetIssues.push('target already holds a finished migration: a real run needs --restart');
  if (occupied.length > 0)
    targetIssues.push(
      `target already holds oxy data in ${occupied.join(', ')}: a real run needs an empty database or --restart`,
    );
  for (const issue of targetIssues) reporter.note(issue);
  report.ok = problems.length === 0 && (targetIssues.length === 0 || options.mode !== 'fresh');
  if (problems.length > 0)
    report.error = `${problems.length} problem(s) in the source; first: ${describeProblem(problems[0]!)}`;
  else if (!report.ok) report.error = targetIssues[0];
}

async function copyAll({ options, source, sourceFile, counts, db, client, report }: TransferContext): Promise<void> {
  const { reporter } = options;
  const ledgerBefore = await readLedger(client);
  const unfinished = ledgerBefore && ledgerBefore.run.status !== 'finished';
  if (options.mode === 'resume') {
    if (!unfinished)
      throw new TransferError(
        'there is no unfinished migration to resume in the target',
        'run without --resume to start one',
      );
    const changed = ENTITIES.filter((e) => ledgerBefore.run.sourceCounts[e.table] !== counts[e.table]).map(
      (e) => e.table,
    );
    if (changed.length > 0) {
      throw new TransferError(
        `the source changed since the unfinished migration started (row counts differ in ${changed.join(', ')})`,
        'start over with --restart',
      );
    }
  } else if (options.mode === 'fresh') {
    if (unfinished) {
      throw new TransferError(
        `the target holds an unfinished migration from ${ledgerBefore.run.source} (started ${ledgerBefore.run.startedAt})`,
        'continue it with --resume, or start over with --restart',
      );
    }
    const occupied = await nonEmptyTables(db);
    if (occupied.length > 0 || ledgerBefore) {
      throw new TransferError(
        `the target already holds oxy data (${occupied.length > 0 ? `non-empty: ${occupied.join(', ')}` : 'a finished migration'})`,
        'drop and recreate the target database (dropdb/createdb), or pass --restart to empty its oxy tables and copy again',
      );
    }
  }
  await migrateToLatest(db, postgresDialect);
  if (options.mode !== 'resume') {
    await client.query('begin');
    await client.query(`truncate ${ENTITIES.map((e) => `"${e.table}"`).join(', ')} cascade`);
    await startLedger(client, options.sourcePath, counts);
    await deferConstraints(
      client,
      ENTITIES.map((e) => e.table),
    );
    await client.query('commit');
  }
  const ledger = (await readLedger(client))!;
  // Each batch commits data and ledger together, so a lost commit after a crash loses both alike.
  await client.query('set synchronous_commit = off');
  // Checks run ahead of the copy, in a worker thread.
  const checker = new WorkerClient<{ table: string }, SourceProblem[]>({ sourcePath: sourceFile }, async ({ table }) =>
    checkEntity(source, entityByTable(table), 'pre-copy'),
  );
  // Verification runs in PostgreSQL on the pool's second connection, overlapping the next copy.
  const pool = pgPoolOf(db);
  try {
    const todo = ENTITIES.filter((entity) => ledger.progress.get(entity.table)!.status !== 'verified');
    const checks = new Map(todo.map((entity) => [entity.table, checker.request({ table: entity.table })]));
    for (const promise of checks.values()) promise.catch(() => undefined);
    const verifications: {
      entity: EntityDef;
      copied: CopyProgress;
      result: Promise<{ rows: number; checksum: string; seconds: number }>;
    }[] = [];
    for (const entity of ENTITIES) {
      const sourceRows = counts[entity.table] ?? 0;
      const progress: LedgerProgress = ledger.progress.get(entity.table)!;
      if (progress.status === 'verified') {
        report.entities.push({
          entity: entity.table,
          sourceRows,
          migratedRows: progress.copiedRows,
          checksumOk: true,
          seconds: progress.seconds,
          status: 'resumed',
          problems: [],
        });
        reporter.skipped(entity.table, progress.copiedRows);
        continue;
      }
      const problems = await checks.get(entity.table)!;
      if (problems.length > 0) {
        report.entities.push({
          entity: entity.table,
          sourceRows,
          migratedRows: progress.copiedRows,
          checksumOk: null,
          seconds: 0,
          status: 'failed',
          problems: problems.map(describeProblem),
        });
        throw new TransferError(
          `cannot copy ${entity.table}: ${describeProblem(problems[0]!)}`,
          'fix or delete those rows in the SQLite file (oxy migrate-sqlite --dry-run lists every problem), then run again with --resume; the target is recorded as unfinished',
        );
      }
      reporter.entityStart(entity.table, sourceRows, progress.copiedRows);
      const copied = await copyEntity({
        source,
        client,
        entity,
        batchSize: options.batchSize,
        from: progress,
        onBatch: (p) => reporter.entityProgress(entity.table, p.copiedRows),
      });
      reporter.entityCopied(entity.table, copied.copiedRows);
      const verifyStarted = performance.now();
      const result = targetChecksumSql(pool, entity).then((r) => ({
        rows: r.rows,
        checksum: r.checksum.toString(),
        seconds: (performance.now() - verifyStarted) / 1000,
      }));
      result.catch(() => undefined);
      verifications.push({ entity, copied, result });
    }
    for (const { entity, copied, result } of verifications) {
      const sourceRows = counts[entity.table] ?? 0;
      const target = await result;
      const checksumOk = BigInt(target.checksum) === copied.checksum;
      const seconds = copied.seconds + target.seconds;
      const ok = target.rows === sourceRows && copied.copiedRows === sourceRows && checksumOk;
      const entry: EntityResult = {
        entity: entity.table,
        sourceRows,
        migratedRows: target.rows,
        checksumOk,
        seconds,
        status: ok ? 'copied' : 'failed',
        problems: [],
      };
      report.entities.push(entry);
      reporter.entityDone(entry);
      if (!ok) {
        const diff = await firstDifference(source, client, entity);
        throw new TransferError(
          `verification failed for ${entity.table}: source ${sourceRows} rows, target ${target.rows}${diff ? `; first differing row ${diff.id}: ${diff.detail}` : ''}`,
          'the target is recorded as unfinished; run again with --restart',
        );
      }
      await markVerified(client, entity.table, seconds);
    }
  } finally {
    await checker.close();
  }
  report.entities.sort(
    (a, b) => ENTITIES.findIndex((e) => e.table === a.entity) - ENTITIES.findIndex((e) => e.table === b.entity),
  );
  reporter.note('re-creating foreign keys and indexes (PostgreSQL validates every reference)');
  await restoreConstraints(client);
  await resetSequences(client);
  await finishLedger(client);
  report.ok = true;
}

/** Sets every sequence owned by an application table's column to max(column) + 1. */
async function resetSequences(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ seq: string; tbl: string; col: string }>(`
    select s.oid::regclass::text as seq, t.oid::regclass::text as tbl, quote_ident(a.attname) as col
    from pg_class s
    join pg_depend d on d.objid = s.oid and d.deptype in ('a', 'i')
    join pg_class t on t.oid = d.refobjid
    join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
    where s.relkind = 'S' and t.relnamespace = current_schema()::regnamespace`);
  for (const { seq, tbl, col } of rows) {
    await client.query(`select setval('${seq}', coalesce((select max(${col}) from ${tbl}), 0) + 1, false)`);
  }
}
