import type { AppDatabase } from '../db/connect.js';
import { entityByTable } from '../db/entities.js';
import { encodeRow } from '../db/row-codec.js';
import { nowTimestamp } from '../db/timestamp.js';

/** The session queries the generic entity repository has no shape for. */
export class SessionRepository {
  constructor(private readonly app: AppDatabase) {}

  /** Ends every live session of a user but the one whose token hash is `exceptHash`; returns how many ended. */
  async revokeAllForUser(userId: string, exceptHash?: string): Promise<number> {
    const now = nowTimestamp();
    const values = encodeRow(this.app.dialect, entityByTable('sessions'), { revoked_at: now, updated_at: now });
    let query = this.app.db
      .updateTable('sessions')
      .set(values)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (exceptHash) query = query.where('token_hash', '!=', exceptHash);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
