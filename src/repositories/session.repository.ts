import type { AppDatabase } from '../db/connect.js';
import { entityByTable } from '../db/entities.js';
import { encodeRow } from '../db/row-codec.js';
import { nowTimestamp } from '../db/timestamp.js';

/** The session queries the generic entity repository has no shape for. */
export class SessionRepository {
  constructor(private readonly app: AppDatabase) {}

  /** Ends every live session of a user; returns how many were live. */
  async revokeAllForUser(userId: string): Promise<number> {
    const now = nowTimestamp();
    const values = encodeRow(this.app.dialect, entityByTable('sessions'), { revoked_at: now, updated_at: now });
    const result = await this.app.db.updateTable('sessions').set(values).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
