import type { EntityDef } from './entities.js';
import type { StorageDialect } from './dialect/storage-dialect.js';
import { canonicalTimestamp } from './timestamp.js';

/** JS values → driver parameters for the columns present in `values`. */
export function encodeRow(
  dialect: StorageDialect,
  entity: EntityDef,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of entity.columns) {
    if (!(column.name in values)) continue;
    let value = values[column.name];
    if (column.type === 'timestamp' && value !== null && value !== undefined)
      value = canonicalTimestamp(value as string | Date);
    out[column.name] = dialect.encode(column.type, value);
  }
  return out;
}

/**
 * Returns `value` with object keys in code-point order at every depth. PostgreSQL's jsonb keeps
 * its own key order and SQLite keeps the written one; sorting makes both return the same JSON.
 */
export function sortJsonKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortJsonKeys);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortJsonKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** A driver row → the JS shape services see, identical on both backends. */
export function decodeRow(
  dialect: StorageDialect,
  entity: EntityDef,
  row: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of entity.columns) {
    if (!(column.name in row)) continue;
    const value = dialect.decode(column.type, row[column.name]);
    out[column.name] = column.type === 'json' ? sortJsonKeys(value) : value;
  }
  return out;
}
