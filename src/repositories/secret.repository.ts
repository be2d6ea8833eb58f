import type { AppDatabase } from '../db/connect.js';

/** The SQL of the secrets rules beyond the generic EntityRepository. */
export class SecretRepository {
  constructor(private readonly app: AppDatabase) {}

  /** The distinct key ids the secrets are sealed with, leaving out rows whose key_id is `except`. */
  async keyIds(except: string): Promise<string[]> {
    const rows = await this.app.db
      .selectFrom('secrets')
      .select(['key_id'])
      .where('key_id', '!=', except)
      .groupBy('key_id')
      .execute();
    return rows.map((row) => String(row.key_id));
  }
}
