import type { EntityDef } from './entities.js';
import type { StorageDialect } from './dialect/storage-dialect.js';
import { canonicalTimestamp } from './timestamp.js';

/** JS values → driver parameters for the columns present in `values`. */
export function encodeRow(dialect: StorageDialect, entity: EntityDef, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of entity.columns) {
    if (!(column.name in values)) continue;
    let value = values[column.name];
    if (column.type === 'timestamp' && value !== null && value !== undefined) value = canonicalTimestamp(value as string | Date);
    out[column.name] = dialect.encode(column.type, value);
  }
  return out;
}

/** A driver row → the JS shape services see, identical on both backends. */
export function decodeRow(dialect: StorageDialect, entity: EntityDef, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of entity.columns) {
    if (column.name in row) out[column.name] = dialect.decode(column.type, row[column.name]);
  }
  return out;
}
