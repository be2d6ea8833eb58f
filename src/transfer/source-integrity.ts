import type { SqliteDatabase } from '../db/sqlite-driver.js';
import { OxyError } from '../errors.js';
import { quoteIdent } from './copy-sql.js';

/**
 * The source's integrity, proven before anything is read from it or written to the target:
 * `PRAGMA quick_check` table by table, spread over the encoder threads (the copy reads every
 * table and index it checks), or of the whole file at once.
 */

/** The source is corrupt: `detail` is what quick_check (or the read that failed) said. */
export function corruptSource(file: string, detail: string): OxyError {
  return new OxyError('bad_source', `${file} is corrupt (quick_check: ${detail})`, {
    hint: 'restore it from a backup, or repair it with sqlite3 .recover',
    exitCode: 1,
  });
}

/**
 * `PRAGMA quick_check` of one table and its indexes (of the whole file without `table`): 'ok', or
 * what is wrong. Read errors (a page that cannot be decoded at all) are reported the same way.
 */
export function quickCheck(db: SqliteDatabase, table?: string): string {
  try {
    const pragma = table === undefined ? 'quick_check' : `quick_check(${quoteIdent(table)})`;
    const rows = (db.pragma(pragma, { simple: false }) as { quick_check: string }[]).map((r) => r.quick_check);
    return rows.length > 1 ? `${rows[0]} (and ${rows.length - 1} more problems)` : (rows[0] ?? 'ok');
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Every table of the file, largest (by its last rowid, found without reading the table) first,
 * so that checking them in parallel ends together. A table whose last rowid cannot be read
 * comes first: its check will say why.
 */
export function tablesLargestFirst(db: SqliteDatabase): string[] {
  const names = db.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[];
  const size = (name: string): number => {
    try {
      return Number(
        db
          .prepare(`select max(rowid) from ${quoteIdent(name)}`)
          .pluck()
          .get() ?? 0,
      );
    } catch {
      return Infinity;
    }
  };
  const sizes = new Map(names.map((name) => [name, size(name)]));
  return names.sort((a, b) => sizes.get(b)! - sizes.get(a)!);
}

/** What can run quick_check on a table elsewhere (the encoder pool). */
export interface TableChecker {
  size: number;
  check(table: string): Promise<string>;
}

/**
 * quick_check of every table in `tables` (largest first), `checker.size` at a time; throws
 * {@link corruptSource} naming the first table found corrupt.
 */
export async function checkTables(file: string, tables: readonly string[], checker: TableChecker): Promise<void> {
  const queue = [...tables];
  let problem: string | undefined;
  const lane = async () => {
    for (let table = queue.shift(); table !== undefined && problem === undefined; table = queue.shift()) {
      const result = await checker.check(table);
      if (result !== 'ok') problem ??= `${table}: ${result}`;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, checker.size) }, lane));
  if (problem !== undefined) throw corruptSource(file, problem);
}
