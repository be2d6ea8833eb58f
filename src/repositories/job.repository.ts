import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { AppDatabase } from '../db/connect.js';
import { entityByTable } from '../db/entities.js';
import { decodeRow, encodeRow } from '../db/row-codec.js';

/** A row of `jobs` as services see it (the same JS values on both backends). */
export interface JobRow {
  id: string;
  project_id: string | null;
  kind: string;
  payload: Record<string, unknown>;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  priority: number;
  attempts: number;
  max_attempts: number;
  run_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  last_error: string | null;
  progress: unknown;
  result: unknown;
  started_at: string | null;
  finished_at: string | null;
  cancel_requested_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface NewJob {
  kind: string;
  payload: Record<string, unknown>;
  project_id: string | null;
  priority: number;
  run_at: string;
  max_attempts: number;
}

export interface ClaimRequest {
  owner: string;
  /** Only jobs of these kinds: a worker never takes a job it has no handler for. */
  kinds: readonly string[];
  limit: number;
  now: string;
  leaseUntil: string;
}

/** What a lease renewal learns about a job the worker still holds. */
export interface HeldJob {
  id: string;
  cancelRequested: boolean;
}

const JOBS = entityByTable('jobs');

/**
 * All SQL of the job queue. Every write to a running job names its lease owner, so a worker whose
 * lease expired (and whose job another worker took) changes nothing.
 */
export class JobRepository {
  constructor(private readonly app: AppDatabase) {}

  private get db(): Kysely<any> {
    return this.app.db;
  }

  private encode(values: Record<string, unknown>) {
    return encodeRow(this.app.dialect, JOBS, values);
  }

  private decode(row: Record<string, unknown>): JobRow {
    return decodeRow(this.app.dialect, JOBS, row) as unknown as JobRow;
  }

  async insert(job: NewJob, now: string): Promise<JobRow> {
    const values = this.encode({ id: uuidv7(), status: 'queued', ...job, created_at: now, updated_at: now });
    const row = await this.db.insertInto('jobs').values(values).returningAll().executeTakeFirstOrThrow();
    return this.decode(row);
  }

  /** How many jobs each kind has in each status (kinds and statuses with none are absent). */
  async countsByKindAndStatus(): Promise<{ kind: string; status: JobRow['status']; count: number }[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['kind', 'status', (eb) => eb.fn.countAll().as('count')])
      .groupBy(['kind', 'status'])
      .orderBy('kind')
      .execute();
    return rows.map((r) => ({ kind: String(r.kind), status: r.status as JobRow['status'], count: Number(r.count) }));
  }

  /** The leases of running jobs at `now`: live ones by owner, and expired ones (their worker stopped answering). */
  async leases(now: string): Promise<{ owner: string; live: number; expired: number }[]> {
    const at = this.encode({ lease_expires_at: now }).lease_expires_at;
    const rows = await this.db
      .selectFrom('jobs')
      .select((eb) => [
        'lease_owner',
        eb.fn.sum<number>(eb.case().when('lease_expires_at', '>=', at).then(1).else(0).end()).as('live'),
        eb.fn.sum<number>(eb.case().when('lease_expires_at', '<', at).then(1).else(0).end()).as('expired'),
      ])
      .where('status', '=', 'running')
      .where('lease_owner', 'is not', null)
      .groupBy('lease_owner')
      .orderBy('lease_owner')
      .execute();
    return rows.map((r) => ({ owner: String(r.lease_owner), live: Number(r.live), expired: Number(r.expired) }));
  }

  async find(id: string): Promise<JobRow | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.decode(row) : undefined;
  }

  /**
   * Takes up to `limit` due jobs, highest priority first, then oldest run_at: queued ones, and
   * running ones whose lease expired with attempts left (their worker died). PostgreSQL does it in
   * one statement that skips rows other workers are claiming; SQLite under BEGIN IMMEDIATE.
   */
  async claim(request: ClaimRequest): Promise<JobRow[]> {
    if (request.kinds.length === 0 || request.limit < 1) return [];
    const claimable = (db: Kysely<any>) => {
      const query = db
        .selectFrom('jobs')
        .select('id')
        .where('kind', 'in', [...request.kinds])
        .where((eb) => dueOrAbandoned(eb, request.now))
        .orderBy('priority', 'desc')
        .orderBy('run_at')
        .orderBy('id')
        .limit(request.limit);
      return this.app.dialect.skipLocked ? query.forUpdate().skipLocked() : query;
    };
    const lease = this.encode({
      status: 'running',
      lease_owner: request.owner,
      lease_expires_at: request.leaseUntil,
      updated_at: request.now,
    });
    const startedAt = this.encode({ started_at: request.now }).started_at;
    const set = (eb: ExpressionBuilder<any, any>) => ({
      ...lease,
      attempts: eb('attempts', '+', 1),
      started_at: eb.fn.coalesce('started_at', eb.val(startedAt)),
    });
    if (this.app.dialect.skipLocked) {
      const rows = await this.db
        .with('next', (db) => claimable(db as Kysely<any>))
        .updateTable('jobs')
        .from('next')
        .set(set)
        .whereRef('jobs.id', '=', 'next.id')
        .returningAll('jobs')
        .execute();
      return sortForClaim(rows.map((r) => this.decode(r)));
    }
    return this.db.transaction().execute(async (trx) => {
      const ids = (await claimable(trx).execute()).map((r) => r.id as string);
      if (ids.length === 0) return [];
      const rows = await trx.updateTable('jobs').set(set).where('id', 'in', ids).returningAll().execute();
      return sortForClaim(rows.map((r) => this.decode(r)));
    });
  }

  /** Extends the lease of the jobs `owner` still holds; the answer lists them (a missing id: lease lost). */
  async renew(ids: readonly string[], owner: string, now: string, leaseUntil: string): Promise<HeldJob[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .updateTable('jobs')
      .set(this.encode({ lease_expires_at: leaseUntil, updated_at: now }))
      .where('id', 'in', [...ids])
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .returning(['id', 'cancel_requested_at'])
      .execute();
    return rows.map((r) => ({ id: String(r.id), cancelRequested: r.cancel_requested_at != null }));
  }

  /**
   * Changes a job `owner` holds, and only then (returns undefined when the lease was lost).
   * `values` are column values as services see them.
   */
  async updateHeld(id: string, owner: string, values: Record<string, unknown>): Promise<JobRow | undefined> {
    const row = await this.db
      .updateTable('jobs')
      .set(this.encode(values))
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst();
    return row ? this.decode(row) : undefined;
  }

  /**
   * Marks several jobs `owner` holds succeeded, each with its result, in one statement (a worker's
   * group commit). Returns the ids it completed: a job whose lease was lost is left alone.
   */
  async completeMany(items: readonly { id: string; result: unknown }[], owner: string, now: string): Promise<string[]> {
    if (items.length === 0) return [];
    const uuid = sql.raw(this.app.dialect.columnType('uuid'));
    const json = sql.raw(this.app.dialect.columnType('json'));
    const rows = items.map(
      (i) => sql`(cast(${i.id} as ${uuid}), cast(${this.app.dialect.encode('json', i.result)} as ${json}))`,
    );
    const when = this.encode({ finished_at: now }).finished_at;
    const result = await sql<{ id: string }>`with done (id, result) as (values ${sql.join(rows)})
      update jobs set status = 'succeeded', result = (select done.result from done where done.id = jobs.id),
        finished_at = ${when}, updated_at = ${when}, lease_owner = null, lease_expires_at = null
      where id in (select id from done) and lease_owner = ${owner} and status = 'running'
      returning id`.execute(this.db);
    return result.rows.map((r) => String(r.id));
  }

  /** Gives a held job back to the queue without spending an attempt (a worker shutting down). */
  async release(id: string, owner: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        ...this.encode({ status: 'queued', lease_owner: null, lease_expires_at: null, run_at: now, updated_at: now }),
        attempts: eb('attempts', '-', 1),
      }))
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Moves a job from `from` to the values given, if it is still in status `from`. */
  async transition(id: string, from: JobRow['status'], values: Record<string, unknown>): Promise<JobRow | undefined> {
    const row = await this.db
      .updateTable('jobs')
      .set(this.encode(values))
      .where('id', '=', id)
      .where('status', '=', from)
      .returningAll()
      .executeTakeFirst();
    return row ? this.decode(row) : undefined;
  }

  /**
   * Ends running jobs whose lease expired and that no claim may take: cancelled when a cancel was
   * requested, else failed (no attempts left). Returns how many ended.
   */
  async endAbandoned(now: string, lastError: string): Promise<number> {
    const expired = (eb: ExpressionBuilder<any, any>) =>
      eb.and([
        eb('status', '=', 'running'),
        eb('lease_expires_at', '<', this.encode({ lease_expires_at: now }).lease_expires_at),
      ]);
    const ended = { lease_owner: null, lease_expires_at: null, finished_at: now, updated_at: now };
    const cancelled = await this.db
      .updateTable('jobs')
      .set(this.encode({ ...ended, status: 'cancelled' }))
      .where(expired)
      .where('cancel_requested_at', 'is not', null)
      .executeTakeFirst();
    const failed = await this.db
      .updateTable('jobs')
      .set(this.encode({ ...ended, status: 'failed', last_error: lastError }))
      .where(expired)
      .where('cancel_requested_at', 'is', null)
      .whereRef('attempts', '>=', 'max_attempts')
      .executeTakeFirst();
    return Number(cancelled.numUpdatedRows) + Number(failed.numUpdatedRows);
  }

  /** How many jobs are in each status (for tests and `oxy status`). */
  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['status', (eb) => eb.fn.countAll().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
  }
}

/** Queued and due, or running with its lease expired, attempts left and no cancel requested. */
function dueOrAbandoned(eb: ExpressionBuilder<any, any>, now: string) {
  return eb.or([
    eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', now)]),
    eb.and([
      eb('status', '=', 'running'),
      eb('lease_expires_at', '<', now),
      eb('cancel_requested_at', 'is', null),
      eb('attempts', '<', eb.ref('max_attempts')),
    ]),
  ]);
}

/** UPDATE … RETURNING gives rows in no promised order: hand them out in claim order. */
function sortForClaim(rows: JobRow[]): JobRow[] {
  return rows.sort((a, b) => b.priority - a.priority || a.run_at.localeCompare(b.run_at) || a.id.localeCompare(b.id));
}
