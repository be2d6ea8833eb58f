import { sql } from 'kysely';
import type { AppDatabase } from '../db/connect.js';
import { entityByTable } from '../db/entities.js';
import { decodeRow, encodeRow } from '../db/row-codec.js';
import { nowTimestamp } from '../db/timestamp.js';
import type { RowValues } from './entity.repository.js';

/**
 * The thread queries the generic repository has no shape for: claiming a thread for a turn in
 * one conditional statement (two servers racing for it: one wins), heartbeats of the owning
 * process, releasing, finding turns whose process stopped beating, and a thread's messages in order.
 */
export class ThreadRepository {
  constructor(private readonly app: AppDatabase) {}

  private encode(values: Record<string, unknown>): Record<string, unknown> {
    return encodeRow(this.app.dialect, entityByTable('threads'), values);
  }

  /** Marks the thread processing, owned by `owner`; false when a turn of some process runs on it. */
  async claim(threadId: string, owner: string): Promise<boolean> {
    const now = nowTimestamp();
    const result = await this.app.db
      .updateTable('threads')
      .set(this.encode({ is_processing: true, turn_owner: owner, turn_heartbeat_at: now, updated_at: now }))
      .where('id', '=', threadId)
      // Processing without an owner is no turn (a flag written through the rows API, say).
      .where((eb) =>
        eb.or([
          eb('is_processing', '=', this.encode({ is_processing: false }).is_processing),
          eb('turn_owner', 'is', null),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Ends `owner`'s turn on the thread (nothing when another process owns it now). */
  async release(threadId: string, owner: string): Promise<void> {
    await this.app.db
      .updateTable('threads')
      .set(this.encode({ is_processing: false, turn_owner: null, turn_heartbeat_at: null, updated_at: nowTimestamp() }))
      .where('id', '=', threadId)
      .where('turn_owner', 'in', [owner, stopping(owner)])
      .execute();
  }

  /**
   * Asks the process running the thread's turn to stop it (a stop sent to another server): its
   * owner becomes `stop:<owner>`, which that process sees at its next heartbeat. False when no
   * process runs a turn on the thread.
   */
  async requestStop(threadId: string): Promise<boolean> {
    const result = await this.app.db
      .updateTable('threads')
      .set({ turn_owner: sql`${STOP}||turn_owner` })
      .where('id', '=', threadId)
      .where('is_processing', '=', this.encode({ is_processing: true }).is_processing)
      .where('turn_owner', 'is not', null)
      .where('turn_owner', 'not like', `${STOP}%`)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Says `owner` is alive for these threads; resolves with those of them another server asked to stop. */
  async heartbeat(threadIds: string[], owner: string): Promise<string[]> {
    if (threadIds.length === 0) return [];
    await this.app.db
      .updateTable('threads')
      .set(this.encode({ turn_heartbeat_at: nowTimestamp() }))
      .where('id', 'in', threadIds)
      .where('turn_owner', 'in', [owner, stopping(owner)])
      .execute();
    const stop = await this.app.db
      .selectFrom('threads')
      .select(['id'])
      .where('id', 'in', threadIds)
      .where('turn_owner', '=', stopping(owner))
      .execute();
    return stop.map((row) => String(row.id));
  }

  /**
   * Releases the threads marked processing whose owner has not beaten since `before` (or that no
   * process owns); resolves with their ids. Each is released by one statement that re-checks the
   * staleness, so two servers starting at once release a thread once.
   */
  async releaseAbandoned(before: string): Promise<string[]> {
    const processing = this.encode({ is_processing: true }).is_processing;
    const cutoff = this.encode({ turn_heartbeat_at: before }).turn_heartbeat_at;
    const stale = await this.app.db
      .selectFrom('threads')
      .select(['id'])
      .where('is_processing', '=', processing)
      .where((eb) =>
        eb.or([
          eb('turn_owner', 'is', null),
          eb('turn_heartbeat_at', 'is', null),
          eb('turn_heartbeat_at', '<', cutoff),
        ]),
      )
      .execute();
    const released: string[] = [];
    for (const { id } of stale) {
      const result = await this.app.db
        .updateTable('threads')
        .set(
          this.encode({ is_processing: false, turn_owner: null, turn_heartbeat_at: null, updated_at: nowTimestamp() }),
        )
        .where('id', '=', id)
        .where('is_processing', '=', processing)
        .where((eb) =>
          eb.or([
            eb('turn_owner', 'is', null),
            eb('turn_heartbeat_at', 'is', null),
            eb('turn_heartbeat_at', '<', cutoff),
          ]),
        )
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) released.push(String(id));
    }
    return released;
  }

  /** The thread's messages, oldest first. */
  async messages(threadId: string): Promise<RowValues[]> {
    const rows = await this.app.db
      .selectFrom('messages')
      .selectAll()
      .where('thread_id', '=', threadId)
      .orderBy('id') // UUIDv7: creation order
      .execute();
    return rows.map((row) => decodeRow(this.app.dialect, entityByTable('messages'), row));
  }
}

const STOP = 'stop:';

/** The owner a stop request leaves on the thread. */
function stopping(owner: string): string {
  return `${STOP}${owner}`;
}
