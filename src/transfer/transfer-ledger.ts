import { LEDGER_SCHEMA, readLedgerRun, type LedgerRun, type Queryable } from '../db/unfinished-transfer.js';

/**
 * migrate-sqlite's bookkeeping in the target, in its own schema `oxy_transfer` (outside the
 * application tables): one run row; per entity, what is copied (updated in the same transaction
 * as each batch, so it always matches the tables) and, in a table of its own written by the
 * verifying connection, what is proven (so the two connections never wait for each other's row).
 */

export interface LedgerProgress {
  entity: string;
  sourceRows: number;
  copiedRows: number;
  /** Id of the last copied row (SQLite's spelling: the keyset for the next batch). */
  lastId: string | null;
  /** Rows proven equal to the source, and the last of their ids: (verifiedId, lastId] is left. */
  verifiedRows: number;
  verifiedId: string | null;
  status: 'pending' | 'copying' | 'verified';
  seconds: number;
}

export interface Ledger {
  run: LedgerRun;
  progress: Map<string, LedgerProgress>;
}

export async function readLedger(client: Queryable): Promise<Ledger | undefined> {
  const run = await readLedgerRun(client);
  if (!run) return undefined;
  const progress =
    await client.query(`select p.entity, p.source_rows, p.copied_rows, p.last_id, p.status, p.seconds, coalesce(v.verified_rows, 0) as verified_rows, v.verified_id
    from ${LEDGER_SCHEMA}.progress p left join ${LEDGER_SCHEMA}.verified v using (entity)`);
  return {
    run,
    progress: new Map(
      progress.rows.map((p) => [
        p.entity,
        {
          entity: p.entity,
          sourceRows: Number(p.source_rows),
          copiedRows: Number(p.copied_rows),
          lastId: p.last_id,
          verifiedRows: Number(p.verified_rows),
          verifiedId: p.verified_id,
          status: p.status,
          seconds: Number(p.seconds),
        },
      ]),
    ),
  };
}

/** Creates (or replaces) the ledger and records a new run as running. */
export async function startLedger(client: Queryable, source: string, counts: Record<string, number>): Promise<void> {
  await client.query(`create schema if not exists ${LEDGER_SCHEMA}`);
  await client.query(`drop table if exists ${LEDGER_SCHEMA}.run, ${LEDGER_SCHEMA}.progress, ${LEDGER_SCHEMA}.verified`);
  await client.query(`create table ${LEDGER_SCHEMA}.run (
    id integer primary key default 1 check (id = 1), source text not null, source_counts jsonb not null,
    status text not null, started_at timestamptz not null default now(), finished_at timestamptz)`);
  await client.query(`create table ${LEDGER_SCHEMA}.progress (
    entity text primary key, position integer not null, source_rows bigint not null, copied_rows bigint not null default 0,
    last_id text, status text not null default 'pending', seconds double precision not null default 0)`);
  await client.query(
    `create table ${LEDGER_SCHEMA}.verified (entity text primary key, verified_rows bigint not null, verified_id text)`,
  );
  await client.query(`insert into ${LEDGER_SCHEMA}.run (source, source_counts, status) values ($1, $2, 'running')`, [
    source,
    JSON.stringify(counts),
  ]);
  const names = Object.keys(counts);
  await client.query(
    `insert into ${LEDGER_SCHEMA}.progress (entity, position, source_rows) select e, n - 1, r from unnest($1::text[], $2::bigint[]) with ordinality u(e, r, n)`,
    [names, names.map((n) => counts[n])],
  );
}

/** Records a copied batch; call inside the batch's transaction. */
export async function recordBatch(
  client: Queryable,
  p: Pick<LedgerProgress, 'entity' | 'copiedRows' | 'lastId' | 'seconds'>,
): Promise<void> {
  await client.query(
    `update ${LEDGER_SCHEMA}.progress set copied_rows = $2, last_id = $3, seconds = $4, status = 'copying' where entity = $1`,
    [p.entity, p.copiedRows, p.lastId, p.seconds],
  );
}

/** Records that the entity's rows up to `verifiedId` are proven equal to the source. */
export async function recordVerified(
  client: Queryable,
  entity: string,
  verifiedRows: number,
  verifiedId: string | null,
): Promise<void> {
  await client.query(
    `insert into ${LEDGER_SCHEMA}.verified (entity, verified_rows, verified_id) values ($1, $2, $3)
     on conflict (entity) do update set verified_rows = excluded.verified_rows, verified_id = excluded.verified_id`,
    [entity, verifiedRows, verifiedId],
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
