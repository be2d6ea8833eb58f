import type { AppDatabase } from '../db/connect.js';
import { entityByTable } from '../db/entities.js';
import { decodeRow } from '../db/row-codec.js';
import { ConflictError } from '../errors.js';
import type { EntityRepository, RowValues } from './entity.repository.js';

/** How often a numbered insert is tried when another process took the same number first. */
const ATTEMPTS = 5;

/**
 * The run queries the generic repository has no shape for: numbering runs per workflow and events
 * per run (the next number is taken in the insert's own statement; a unique constraint turns a
 * race between two servers into a retry), and reading a run's events and steps in order.
 */
export class RunRepository {
  constructor(
    private readonly app: AppDatabase,
    private readonly repo: EntityRepository,
  ) {}

  async insertRun(values: RowValues): Promise<RowValues> {
    return this.numbered(async () => {
      const next = await this.app.db
        .selectFrom('runs')
        .select((eb) => eb.fn.max('run_index').as('n'))
        .where('workflow_id', '=', String(values.workflow_id))
        .executeTakeFirst();
      return this.repo.insert('runs', { ...values, run_index: Number(next?.n ?? 0) + 1 });
    });
  }

  async appendEvent(runId: string, type: string, data: unknown): Promise<RowValues> {
    return this.numbered(async () => {
      const last = await this.app.db
        .selectFrom('run_events')
        .select((eb) => eb.fn.max('seq').as('n'))
        .where('run_id', '=', runId)
        .executeTakeFirst();
      return this.repo.insert('run_events', { run_id: runId, seq: Number(last?.n ?? 0) + 1, type, data });
    });
  }

  /** The run's events after `seq`, oldest first. */
  async eventsAfter(runId: string, seq: number, limit = 500): Promise<RowValues[]> {
    const rows = await this.app.db
      .selectFrom('run_events')
      .selectAll()
      .where('run_id', '=', runId)
      .where('seq', '>', seq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => decodeRow(this.app.dialect, entityByTable('run_events'), row));
  }

  /** The run's steps in the order they started. */
  async steps(runId: string): Promise<RowValues[]> {
    const rows = await this.app.db
      .selectFrom('run_steps')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('step_index')
      .execute();
    return rows.map((row) => decodeRow(this.app.dialect, entityByTable('run_steps'), row));
  }

  /** Removes the steps a retry runs again (all but the succeeded ones). */
  async dropUnfinishedSteps(runId: string): Promise<void> {
    await this.app.db.deleteFrom('run_steps').where('run_id', '=', runId).where('status', '!=', 'succeeded').execute();
  }

  async nextStepIndex(runId: string): Promise<number> {
    const last = await this.app.db
      .selectFrom('run_steps')
      .select((eb) => eb.fn.max('step_index').as('n'))
      .where('run_id', '=', runId)
      .executeTakeFirst();
    return last?.n === null || last?.n === undefined ? 0 : Number(last.n) + 1;
  }

  private async numbered(insert: () => Promise<RowValues>): Promise<RowValues> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await insert();
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
      }
    }
  }
}
