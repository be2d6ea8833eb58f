import { CompiledQuery, type Kysely } from 'kysely';
import { OxyError } from '../errors.js';

/**
 * What every opener of a PostgreSQL database must know about `oxy migrate-sqlite`: whether it
 * left the database half-copied. The transfer itself (transfer/transfer-ledger.ts) writes the
 * ledger; this module only reads its run row, so db/ never depends on transfer/.
 */

/** The schema of migrate-sqlite's ledger in the target, outside the application tables. */
export const LEDGER_SCHEMA = 'oxy_transfer';

/** A pg client, or a Kysely instance wrapped by {@link kyselyQueryable}. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

export interface LedgerRun {
  source: string;
  sourceCounts: Record<string, number>;
  status: 'running' | 'finished';
  startedAt: string;
  finishedAt: string | null;
}

export async function ledgerExists(client: Queryable): Promise<boolean> {
  const { rows } = await client.query(`select to_regclass('${LEDGER_SCHEMA}.run')::text as t`);
  return rows[0]?.t != null;
}

/** The recorded migrate-sqlite run, if the database holds one. */
export async function readLedgerRun(client: Queryable): Promise<LedgerRun | undefined> {
  if (!(await ledgerExists(client))) return undefined;
  const runs = await client.query(
    `select source, source_counts, status, started_at::text, finished_at::text from ${LEDGER_SCHEMA}.run`,
  );
  const row = runs.rows[0];
  if (!row) return undefined;
  return {
    source: row.source,
    sourceCounts: row.source_counts,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
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
  const run = await readLedgerRun(client);
  if (run && run.status !== 'finished') throw new UnfinishedTransferError(run);
}
