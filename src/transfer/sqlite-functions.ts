import { isUtf8 } from 'node:buffer';
import type { SqliteDatabase } from '../db/sqlite-driver.js';
import { canonicalTimestamp } from '../db/timestamp.js';

/** Registers the checks SQL alone cannot do (UTF-8, timestamps) as SQL functions of `db`. */
export function registerChecks(db: SqliteDatabase): void {
  db.function('oxy_utf8_ok', { deterministic: true }, (value: unknown) =>
    Buffer.isBuffer(value) ? (isUtf8(value) ? 1 : 0) : 1,
  );
  db.function('oxy_timestamp_ok', { deterministic: true }, (value: unknown) => {
    if (value === null) return 1;
    try {
      canonicalTimestamp(String(value));
      return 1;
    } catch {
      return 0;
    }
  });
}
