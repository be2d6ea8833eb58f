import type { EntityDef } from '../db/entities.js';

/**
 * What SQLite does for the encoder (batch-encoder.ts), because it is cheap there and impossible
 * or costly in JavaScript: it reads integers as their exact decimal text (no BigInt per value),
 * and flags each row with the 1-based index of the first integer column holding something else.
 * Everything else (types, NULLs, enums, UUIDs, timestamps, JSON, UTF-8) is checked in JavaScript
 * on the value itself.
 */

/** An SQL identifier in double quotes (the same in SQLite and PostgreSQL). */
export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** An SQL string literal (standard_conforming_strings, the default in both). */
export const quoteLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

export function encoderSql(entity: EntityDef): { flag: string; columns: string[] } {
  const checks: string[] = [];
  const columns = entity.columns.map((column, i) => {
    const c = quoteIdent(column.name);
    if (column.type !== 'integer') return c;
    checks.push(`when typeof(${c}) not in ('integer', 'null') then ${i + 1}`);
    return `cast(${c} as text)`;
  });
  return { flag: checks.length === 0 ? '0' : `case ${checks.join(' ')} else 0 end`, columns };
}
