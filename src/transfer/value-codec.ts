import type { LogicalType } from '../db/entities.js';
import { canonicalTimestamp } from '../db/timestamp.js';
import { jsonbText, NumericRangeError } from './jsonb-text.js';

/**
 * One canonical text form per logical type, produced from a SQLite value (on the way in) and from
 * PostgreSQL's COPY text output (on the way back), so that a copied row that differs from its source
 * can be named (verify-entity.ts). batch-encoder.ts checks values with it and sends its form, in
 * binary, to COPY.
 */

export class ValueError extends Error {}

/** `\u0000` as an escape in JSON text (not a backslash, escaped, followed by `u0000`). */
export const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/;

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
        if (error instanceof NumericRangeError) throw new ValueError(`JSON that jsonb cannot store: ${error.message}`);
        throw new ValueError(`invalid JSON (${(error as Error).message})`);
      }
      if (ESCAPED_NUL.test(canonical))
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
