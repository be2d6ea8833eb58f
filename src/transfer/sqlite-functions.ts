import { isUtf8 } from 'node:buffer';
import type { SqliteDatabase } from '../db/sqlite-driver.js';
import { canonicalTimestamp } from '../db/timestamp.js';
import { jsonbText, NumericRangeError } from './jsonb-text.js';
import { ESCAPED_NUL } from './value-codec.js';

/** Registers the checks SQL alone cannot do (UTF-8, timestamps, `\u0000` and numbers in JSON) as SQL functions of `db`. */
export function registerChecks(db: SqliteDatabase): void {
  db.function('oxy_utf8_ok', { deterministic: true }, (value: unknown) =>
    Buffer.isBuffer(value) ? (isUtf8(value) ? 1 : 0) : 1,
  );
  // JSON text holding the escape \u0000 (not an escaped backslash followed by "u0000").
  db.function('oxy_escaped_nul', { deterministic: true }, (value: unknown) =>
    typeof value === 'string' && ESCAPED_NUL.test(value) ? 1 : 0,
  );
  // JSON whose numbers all fit PostgreSQL's numeric (jsonb stores numbers as numeric).
  db.function('oxy_jsonb_numbers_ok', { deterministic: true }, (value: unknown) => {
    if (typeof value !== 'string') return 1;
    try {
      jsonbText(value);
      return 1;
    } catch (error) {
      return error instanceof NumericRangeError ? 0 : 1;
    }
  });
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
