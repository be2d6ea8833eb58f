import os from 'node:os';
import type pg from 'pg';
import type { SqliteDatabase } from '../db/sqlite-driver.js';
import type { AppDatabase } from '../db/connect.js';
import { connectWithRetry } from '../db/connect-with-retry.js';
import { postgresDialect } from '../db/dialect/postgres.js';
import { entities, type EntityDef } from '../db/entities.js';
import { migrateToLatest, schemaStatus } from '../db/migrator.js';
import type { DatabaseTarget } from '../db/url.js';
import { OxyError } from '../errors.js';
import { BatchVerifier } from './batch-verifier.js';
import { copyEntity } from './copy-entity.js';
import { deferConstraints, ForeignKeyViolation, restoreConstraints, UniqueViolation } from './deferred-constraints.js';
import { EncoderPool } from './encoder-pool.js';
import {
  duplicateRows,
  existingTables,
  nonEmptyTables,
  openTargetConnection,
  orphanedRows,
  resetSequences,
  truncateEntities,
  tryLockTarget,
} from './postgres-target.js';
import { checkEntity, describeProblem, type SourceProblem } from './source-checks.js';
import { checkTables } from './source-integrity.js';
import { openSqliteSource, type SqliteSource } from './sqlite-source.js';
import { asTransferError, DuplicateRowsError, OrphanedRowsError, TransferError } from './transfer-errors.js';
import { finishLedger, readLedger, startLedger, type Ledger } from './transfer-ledger.js';
import type { TransferReporter } from './transfer-reporter.js';

export type StartMode = 'fresh' | 'resume' | 'restart';

export interface TransferOptions {
  sourcePath: string;
  target: DatabaseTarget;
  dryRun: boolean;
  batchSize: number;
  mode: StartMode;
  reporter: TransferReporter;
  /** Entities copied at once, each on its own connection and encoder thread (default 1: on two cores a second one did not pay, and cost 70 MB). */
  parallel?: number;
  /** Threads reading and encoding rows (default: one per core, at most 4); they share the entities being copied. */
  encoderThreads?: number;
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

/** What one run works with, shared by the steps below. */
interface TransferContext {
  options: TransferOptions;
  source: SqliteSource;
  /** Threads reading and encoding the source (and checking it first). */
  encoders: EncoderPool;
  counts: Record<string, number>;
  database: AppDatabase;
  /** The connection that holds the target's lock and runs the set-up and the final steps. */
  control: pg.Client;
  report: TransferReport;
  /** The target's ledger records this migration as unfinished: an interruption is then resumed. */
  unfinished: boolean;
}

/**
 * `oxy migrate-sqlite`: copies every entity from an oxy SQLite file to an oxy PostgreSQL
 * database, proving each committed batch by its bytes and each entity by its count. See
 * DESIGN.md "migrate-sqlite contract".
 */
export async function migrateSqlite(options: TransferOptions): Promise<TransferReport> {
  const started = performance.now();
  const report: TransferReport = {
    ok: false,
    dryRun: options.dryRun,
    source: options.sourcePath,
    target: options.target.display,
    entities: [],
    totalRows: 0,
    seconds: 0,
  };
  const source = await openSqliteSource(options.sourcePath);
  let encoders: EncoderPool | undefined;
  let database: AppDatabase | undefined;
  let control: pg.Client | undefined;
  let context: TransferContext | undefined;
  try {
    encoders = new EncoderPool(
      source.db,
      source.upgradedCopy ?? source.path,
      options.encoderThreads ?? Math.min(4, os.availableParallelism()),
    );
    if (source.upgradedCopy)
      options.reporter.note(`source schema version ${source.schemaVersion} upgraded on a temporary copy`);
    await checkTables(source.path, source.unchecked, encoders);
    const counts = countSourceRows(source.db);
    database = await connectWithRetry(options.target, (line) => options.reporter.note(line), undefined, {
      poolSize: 1,
    });
    control = await openTargetConnection(options.target, 'control');
    if (!(await lockTarget(control)))
      throw new TransferError('another `oxy migrate-sqlite` is running against this target', 'wait for it to finish');
    // A target a --resume run finds is already recorded as unfinished; any other is once its ledger is.
    context = { options, source, encoders, counts, database, control, report, unfinished: options.mode === 'resume' };
    await (options.dryRun ? planOnly(context) : copyAll(context));
  } catch (caught) {
    const error = asTransferError(
      caught,
      options.dryRun ? 'dry-run' : context?.unfinished ? 'target-unfinished' : 'before-ledger',
    );
    report.error = error.message;
    throw Object.assign(error, { report });
  } finally {
    await control?.end().catch(() => undefined);
    await database?.close().catch(() => undefined);
    await encoders?.close();
    source.close();
    report.seconds = (performance.now() - started) / 1000;
    report.totalRows = report.entities.reduce((n, e) => n + e.migratedRows, 0);
  }
  return report;
}

/**
 * Takes the target's lock, waiting a few seconds for it: a run killed a moment ago holds it until
 * PostgreSQL notices its connection is gone.
 */
async function lockTarget(control: pg.Client): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await tryLockTarget(control)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

function countSourceRows(source: SqliteDatabase): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entity of ENTITIES)
    counts[entity.table] = Number(
      (source.prepare(`select count(*) as n from "${entity.table}"`).get() as { n: number }).n,
    );
  return counts;
}

/** `--dry-run`: every source check, the plan, and what a real run would say about the target. Writes nothing. */
async function planOnly({ options, source, counts, control, database, report }: TransferContext): Promise<void> {
  const problems: SourceProblem[] = [];
  for (const entity of ENTITIES) {
    const found = checkEntity(source.db, entity);
    problems.push(...found);
    const sourceRows = counts[entity.table] ?? 0;
    report.entities.push({
      entity: entity.table,
      sourceRows,
      migratedRows: 0,
      checksumOk: null,
      seconds: 0,
      status: 'planned',
      problems: found.map(describeProblem),
    });
    options.reporter.planned(entity.table, sourceRows, found.map(describeProblem));
  }
  const targetIssue = await targetRefusal({ options, control, database }, await readLedger(control));
  if (targetIssue) options.reporter.note(`a real run would stop: ${targetIssue.message} (${targetIssue.hint})`);
  report.ok = problems.length === 0 && !targetIssue;
  if (problems.length > 0)
    report.error = `${problems.length} problem(s) in the source; first: ${describeProblem(problems[0]!)}`;
  else if (targetIssue) report.error = targetIssue.message;
}

async function copyAll(context: TransferContext): Promise<void> {
  const before = await readLedger(context.control);
  const refusal = await targetRefusal(context, before);
  if (refusal) throw refusal;
  await prepareTarget(context);
  // Its ledger is committed: from here on an interruption is resumed.
  context.unfinished = true;
  const ledger = (await readLedger(context.control))!;
  await copyAndVerify(context, ledger);
  await finishTarget(context);
  context.report.ok = true;
}

/** Why the target cannot be used in this mode, if it cannot: checked before anything is written. */
async function targetRefusal(
  {
    options,
    control,
    database,
    counts,
  }: Pick<TransferContext, 'options' | 'control' | 'database'> & { counts?: Record<string, number> },
  ledger: Ledger | undefined,
): Promise<TransferError | undefined> {
  const unfinished = ledger !== undefined && ledger.run.status !== 'finished';
  if (options.mode === 'resume') {
    if (!unfinished)
      return new TransferError(
        'there is no unfinished migration to resume in the target',
        'run without --resume to start one',
      );
    const changed = counts
      ? ENTITIES.filter((e) => ledger.run.sourceCounts[e.table] !== counts[e.table]).map((e) => e.table)
      : [];
    if (changed.length > 0)
      return new TransferError(
        `the source changed since the unfinished migration started (row counts differ in ${changed.join(', ')})`,
        'start over with --restart',
      );
    return undefined;
  }
  const version = (await schemaStatus(database.db)).version;
  const tables = version === 0 ? await existingTables(control) : [];
  if (tables.length > 0) {
    return new TransferError(
      `the target is not an oxy database: it already has tables named ${tables.join(', ')} and no oxy schema`,
      'migrate into an empty database: create one (createdb oxy, or CREATE DATABASE oxy) and pass it with --to; nothing was written',
    );
  }
  if (options.mode === 'restart') return undefined;
  if (unfinished)
    return new TransferError(
      `the target holds an unfinished migration from ${ledger.run.source} (started ${ledger.run.startedAt})`,
      'continue it with --resume, or start over with --restart',
    );
  const occupied = version === 0 ? [] : await nonEmptyTables(control);
  if (occupied.length > 0 || ledger) {
    return new TransferError(
      `the target already holds oxy data (${occupied.length > 0 ? `non-empty: ${occupied.join(', ')}` : 'a finished migration'})`,
      'drop and recreate the target database (dropdb/createdb), or pass --restart to empty its oxy tables and copy again',
    );
  }
  return undefined;
}

/** The schema, then (unless resuming) empty tables, a new ledger and the constraints set aside, in one transaction. */
async function prepareTarget({ options, database, control, counts }: TransferContext): Promise<void> {
  await migrateToLatest(database.db, postgresDialect);
  if (options.mode === 'resume') return;
  await control.query('begin');
  await truncateEntities(control);
  await startLedger(control, options.sourcePath, counts);
  await deferConstraints(
    control,
    ENTITIES.map((e) => e.table),
  );
  await control.query('commit');
}

/**
 * Copies the entities not yet verified, `parallel` at a time (foreign keys are set aside, so any
 * order will do; the largest start first), each batch proven by the verifier's connection while
 * the next is copied.
 */
async function copyAndVerify(
  { options, source, encoders, counts, report }: TransferContext,
  ledger: Ledger,
): Promise<void> {
  const parallel = options.parallel ?? 1;
  const connections: pg.Client[] = [];
  try {
    for (let i = 0; i < parallel + 1; i++)
      connections.push(await openTargetConnection(options.target, i === 0 ? 'verify' : `copy ${i}`));
    const [verifyClient, ...copyClients] = connections;
    const verifier = new BatchVerifier(verifyClient!, source.db, encoders, options.batchSize);
    const todo = ENTITIES.filter((entity) => !alreadyVerified({ options, counts, report }, ledger, entity)).sort(
      (a, b) => counts[b.table]! - counts[a.table]!,
    );
    await Promise.all(
      copyClients.map((client) =>
        copyLane({ options, counts, report }, { client, encoders, source: source.db, verifier, ledger, todo }),
      ),
    );
    await verifier.drain();
  } finally {
    await Promise.all(connections.map((c) => c.end().catch(() => undefined)));
  }
  report.entities.sort(
    (a, b) => ENTITIES.findIndex((e) => e.table === a.entity) - ENTITIES.findIndex((e) => e.table === b.entity),
  );
}

/** Reports an entity a previous run already copied and verified; true if so. */
function alreadyVerified(
  { options, counts, report }: Pick<TransferContext, 'options' | 'counts' | 'report'>,
  ledger: Ledger,
  entity: EntityDef,
): boolean {
  const progress = ledger.progress.get(entity.table)!;
  if (progress.status !== 'verified') return false;
  report.entities.push({
    entity: entity.table,
    sourceRows: counts[entity.table] ?? 0,
    migratedRows: progress.copiedRows,
    checksumOk: true,
    seconds: progress.seconds,
    status: 'resumed',
    problems: [],
  });
  options.reporter.skipped(entity.table, progress.copiedRows);
  return true;
}

/** One copying connection: takes the next entity from `todo` until none is left. */
async function copyLane(
  { options, counts, report }: Pick<TransferContext, 'options' | 'counts' | 'report'>,
  lane: {
    client: pg.Client;
    encoders: EncoderPool;
    source: SqliteDatabase;
    verifier: BatchVerifier;
    ledger: Ledger;
    todo: EntityDef[];
  },
): Promise<void> {
  const { reporter } = options;
  for (let entity = lane.todo.shift(); entity; entity = lane.todo.shift()) {
    const table = entity.table;
    const sourceRows = counts[table] ?? 0;
    const from = lane.ledger.progress.get(table)!;
    reporter.entityStart(table, sourceRows, from.copiedRows);
    const copied = await copyEntity({
      ...lane,
      entity,
      batchSize: options.batchSize,
      from,
      onBatch: (p) => reporter.entityProgress(table, p.copiedRows),
    });
    reporter.entityCopied(table, copied.copiedRows);
    lane.verifier.finish({
      entity,
      sourceRows,
      copySeconds: copied.seconds,
      done: (seconds) => {
        const result: EntityResult = {
          entity: table,
          sourceRows,
          migratedRows: sourceRows,
          checksumOk: true,
          seconds,
          status: 'copied',
          problems: [],
        };
        report.entities.push(result);
        reporter.entityDone(result);
      },
    });
  }
}

/** Foreign keys, unique keys and indexes back (PostgreSQL validates every reference and key), sequences reset, the run marked finished. */
async function finishTarget({ options, control, counts }: TransferContext): Promise<void> {
  options.reporter.note(
    're-creating foreign keys, unique keys and indexes (PostgreSQL validates every reference and key)',
  );
  try {
    // Two connections: one table's keys and indexes are built while another's are.
    const helper = await openTargetConnection(options.target, 'finish');
    try {
      await restoreConstraints([control, helper], (table) => counts[table] ?? 0);
    } finally {
      await helper.end().catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof ForeignKeyViolation) throw await orphanedRowsError(control, error);
    if (error instanceof UniqueViolation) {
      const found = await duplicateRows(control, error.table, error.columns);
      if (found) throw new DuplicateRowsError(error.table, error.columns, found.values, found.ids);
    }
    throw error;
  }
  await resetSequences(control);
  await finishLedger(control);
}

/** Names the rows that broke a foreign key (constraints are named `<table>_<column>_fkey`). */
async function orphanedRowsError(
  control: pg.Client,
  violation: ForeignKeyViolation,
): Promise<OxyError | ForeignKeyViolation> {
  const entity = ENTITIES.find((e) => e.table === violation.table);
  const column = entity?.columns.find((c) => c.references && `${entity.table}_${c.name}_fkey` === violation.constraint);
  if (!entity || !column?.references) return violation;
  const { count, ids } = await orphanedRows(control, entity, column.name);
  return new OrphanedRowsError(entity.table, column.name, column.references.table, count, ids);
}
