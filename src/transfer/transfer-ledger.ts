import { CompiledQuery, type Kysely } from 'kysely';
import { OxyError } from '../errors.js';

/**
 * migrate-sqlite's bookkeeping in the target, in its own schema `oxy_transfer` (outside the
 * application tables): one run row and one progress row per entity, updated in the same
 * transaction as each copied batch, so that the ledger always matches what is in the tables.
 */

export interface LedgerRun {
  source: string;
  sourceCounts: Record<string, number>;
  status: 'running' | 'finished';
  startedAt: string;
  finishedAt: string | null;
}

export interface LedgerProgress {
  entity: string;
  sourceRows: number;
  copiedRows: number;
  lastId: string | null;
  checksum: bigint;
  status: 'pending' | 'copying' | 'verified';
  seconds: number;
}

export const LEDGER_SCHEMA = 'oxy_transfer';

/** A pg client, or a Kysely instance wrapped by {@link kyselyQueryable}. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

export async function ledgerExists(client: Queryable): Promise<boolean> {
  const { rows } = await client.query(`select to_regclass('${LEDGER_SCHEMA}.run')::text as t`);
  return rows[0]?.t != null;
}

export async function readLedger(
  client: Queryable,
): Promise<{ run: LedgerRun; progress: Map<string, LedgerProgress> } | undefined> {
  if (!(await ledgerExists(client))) return undefined;
  const runs = await client.query(
    `select source, source_counts, status, started_at::text, finished_at::text from ${LEDGER_SCHEMA}.run`,
  );
  const row = runs.rows[0];
  if (!row) return undefined;
  const progress = await client.query(
    `select entity, source_rows, copied_rows, last_id, checksum::text, status, seconds from ${LEDGER_SCHEMA}.progress`,
  );
  return {
    run: {
      source: row.source,
      sourceCounts: row.source_counts,
      status: row.status,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    },
    progress: new Map(
      progress.rows.map((p) => [
        p.entity,
        {
          entity: p.entity,
          sourceRows: Number(p.source_rows),
          copiedRows: Number(p.copied_rows),
          lastId: p.last_id,
          checksum: BigInt(p.checksum),
          status: p.status,
          seconds: Number(p.seconds),
        },
      ]),
    ),
  };
}

/** Creates (or empties) the ledger and records a new run as running. */
export async function startLedger(client: Queryable, source: string, counts: Record<string, number>): Promise<void> {
  await client.query(`create schema if not exists ${LEDGER_SCHEMA}`);
  await client.query(`create table if not exists ${LEDGER_SCHEMA}.run (
    id integer primary key default 1 check (id = 1), source text not null, source_counts jsonb not null,
    status text not null, started_at timestamptz not null default now(), finished_at timestamptz)`);
  await client.query(`create table if not exists ${LEDGER_SCHEMA}.progress (
    entity text primary key, position integer not null, source_rows bigint not null, copied_rows bigint not null default 0,
    last_id text, checksum numeric(20) not null default 0, status text not null default 'pending',
    seconds double precision not null default 0)`);
  await client.query(`delete from ${LEDGER_SCHEMA}.progress`);
  await client.query(`delete from ${LEDGER_SCHEMA}.run`);
  await client.query(`insert into ${LEDGER_SCHEMA}.run (source, source_counts, status) values ($1, $2, 'running')`, [
    source,
    JSON.stringify(counts),
  ]);
  let position = 0;
  for (const [entity, rows] of Object.entries(counts)) {
    await client.query(`insert into ${LEDGER_SCHEMA}.progress (entity, position, source_rows) values ($1, $2, $3)`, [
      entity,
      position++,
      rows,
    ]);
  }
}

/** Records a copied batch; call inside the batch's transaction. */
export async function recordBatch(
  client: Queryable,
  p: Pick<LedgerProgress, 'entity' | 'copiedRows' | 'lastId' | 'checksum' | 'seconds'>,
): Promise<void> {
  await client.query(
    `update ${LEDGER_SCHEMA}.progress set copied_rows = $2, last_id = $3, checksum = $4, seconds = $5, status = 'copying' where entity = $1`,
    [p.entity, p.copiedRows, p.lastId, p.checksum.toString(), p.seconds],
  );
}

export async function markVerified(client: Queryable, entity: string, seconds: number): Promise<void> {
  await client.query(`update ${LEDGER_SCHEMA}.progress set status = 'verified', seconds = $2 where entity = $1`, [
    entity,
    seconds,
  ]);
}

export async function finishLedger(client: Queryable): Promise<void> {
  await client.query(`update ${LEDGER_SCHEMA}.run set status = 'finished', finished_at = now()`);
}

/** Thrown by `oxy serve` (and anything opening the database) on a half-copied target. */
export class UnfinishedTransferError extends OxyError {
  constructor(run: LedgerRun) {
    super(
      'unfinished_migration',
      `this database holds an unfinished \`oxy migrate-sqlite\` from ${run.source} (started ${run.startedAt})`,
      {
        hint: 'finish it with `oxy migrate-sqlite --resume`, or start over with `oxy migrate-sqlite --restart`',
        exitCode: 1,
        status: 503,
      },
    );
  }
}

/** Lets ledger functions run through a Kysely instance. */
export function kyselyQueryable(db: Kysely<any>): Queryable {
  return {
    query: async (text, values = []) => ({
      rows: (await db.executeQuery(CompiledQuery.raw(text, values))).rows as any[],
    }),
  };
}

/** Refuses a target whose migrate-sqlite run is recorded as unfinished. */
export async function assertNoUnfinishedTransfer(client: Queryable): Promise<void> {
  const ledger = await readLedger(client);
  if (ledger && ledger.run.status !== 'finished') throw new UnfinishedTransferError(ledger.run);
}
