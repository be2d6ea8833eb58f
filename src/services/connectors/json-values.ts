import type { Cell } from './connector.js';

/**
 * An engine's timestamp text (`2024-01-02 03:04:05.678+00`) as ISO-8601: `T` between date and
 * time, a zero offset as `Z`, other offsets as `±HH:MM`; a timestamp without zone stays without.
 */
export function isoTimestamp(text: string): string {
  const match =
    /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:\s*([+-]\d{2})(?::?(\d{2}))?(?::?\d{2})?|\s*Z)?$/.exec(
      text,
    );
  if (!match) return text;
  const [, date, time, hours, minutes] = match;
  if (hours === undefined) return /Z$/.test(text) ? `${date}T${time}Z` : `${date}T${time}`;
  const offset = `${hours}:${minutes ?? '00'}`;
  return `${date}T${time}${offset === '+00:00' || offset === '-00:00' ? 'Z' : offset}`;
}

/** A driver value as JSON keeps it: bigint as text, binary as base64, Date as ISO-8601 (UTC). */
export function jsonCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(jsonCell);
  if (typeof value === 'object')
    return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Cell;
  return String(value);
}
