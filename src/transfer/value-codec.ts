import type { LogicalType } from '../db/entities.js';
import { canonicalTimestamp } from '../db/timestamp.js';
import { jsonbText } from './jsonb-text.js';

/**
 * One canonical text form per logical type, produced from a SQLite value (on the way in) and from
 * PostgreSQL's COPY output (on the way back), so that both sides of a transfer can be hashed the
 * same way; verify-entity.ts renders the same form in SQL. It is also what is sent to COPY, but
 * for JSON, which is sent as written (jsonb keeps every digit of its numbers).
 */

export class ValueError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A SQLite value (read with safe integers) → canonical text, or null. Throws ValueError. */
export function fromSqlite(type: LogicalType, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'uuid': {
      const text = String(value);
      if (!UUID.test(text)) throw new ValueError(`not a UUID: ${JSON.stringify(text.slice(0, 60))}`);
      return text.toLowerCase();
    }
    case 'text':
      if (typeof value !== 'string')
        throw new ValueError(
          `expected text, found ${typeof value === 'bigint' ? 'integer' : Buffer.isBuffer(value) ? 'blob' : typeof value}`,
        );
      if (value.includes('\u0000'))
        throw new ValueError('text contains a NUL character, which PostgreSQL cannot store');
      return value;
    case 'timestamp':
      try {
        return canonicalTimestamp(String(value));
      } catch (error) {
        throw new ValueError((error as Error).message);
      }
    case 'json': {
      if (typeof value !== 'string') throw new ValueError('expected JSON text');
      let canonical: string;
      try {
        canonical = jsonbText(value);
      } catch (error) {
        throw new ValueError(`invalid JSON (${(error as Error).message})`);
      }
      if (canonical.includes('\\u0000'))
        throw new ValueError('JSON contains \\u0000, which PostgreSQL jsonb cannot store');
      return canonical;
    }
    case 'boolean':
      if (value === 0n || value === 0) return 'f';
      if (value === 1n || value === 1) return 't';
      throw new ValueError(`expected boolean 0 or 1, found ${String(value)}`);
    case 'bytes':
      if (!Buffer.isBuffer(value)) throw new ValueError(`expected a blob, found ${typeof value}`);
      return `\\x${value.toString('hex')}`;
    case 'integer':
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'number' && Number.isInteger(value)) return String(value);
      throw new ValueError(`expected an integer, found ${JSON.stringify(value)}`);
  }
}

/** A field of PostgreSQL's COPY TO text output (already unescaped) → canonical text. */
export function fromPostgresCopy(type: LogicalType, value: string | null): string | null {
  if (value === null) return null;
  switch (type) {
    case 'timestamp':
      return canonicalTimestamp(value);
    case 'json':
      return value; // COPY TO prints jsonb in the form jsonbText produces
    case 'uuid':
      return value.toLowerCase();
    default:
      return value;
  }
}

/**
 * A canonical timestamp as PostgreSQL prints a timestamptz in COPY output (DateStyle ISO,
 * TimeZone UTC): a space for `T`, trailing zeros of the fraction dropped, `+00` for `Z`.
 *
 * @example
 * postgresTimestampText('2026-01-02T03:04:05.120Z') // '2026-01-02 03:04:05.12+00'
 */
export function postgresTimestampText(canonical: string): string {
  let end = canonical.length - 1; // before the Z
  while (canonical.charCodeAt(end - 1) === 0x30) end--;
  if (canonical.charCodeAt(end - 1) === 0x2e) end--;
  return `${canonical.slice(0, 10)} ${canonical.slice(11, end)}+00`;
}

/**
 * A SQLite value → the text PostgreSQL prints for it in COPY output (before COPY escaping), or
 * null. This is also what migrate-sqlite sends to COPY: PostgreSQL reads back its own output, so
 * each copied batch can be proven by comparing bytes. Throws ValueError like {@link fromSqlite}.
 */
export function postgresCopyText(type: LogicalType, value: unknown): string | null {
  const canonical = fromSqlite(type, value);
  if (canonical === null || type !== 'timestamp') return canonical;
  return postgresTimestampText(canonical);
}
