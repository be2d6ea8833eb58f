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

/** SQLite's codes for a lock another connection holds (extended codes included). */
export function isLockCode(code: unknown): boolean {
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** What to do about a source that is locked by a writer. */
export const LOCKED_HINT =
  'make sure no other process is writing to it (stop `oxy serve` on it), then run the same command again';

/** The source could not be checked (locked by another process, out of memory): not a verdict on its data. */
export function uncheckedSource(file: string, detail: string, locked: boolean): OxyError {
  return new OxyError('bad_source', `${file} could not be checked (quick_check: ${detail})`, {
    hint: locked
      ? LOCKED_HINT
      : 'run the same command again; if it fails again, check the file can be read (permissions, disk, memory)',
    exitCode: 1,
  });
}

/** What quick_check found: 'ok'; what is wrong (`corrupt`); or why the check could not run. */
export type CheckResult = { ok: true } | { ok: false; corrupt: boolean; locked: boolean; detail: string };

/** SQLite's own verdict on a file's content; any other failure (BUSY, NOMEM, I/O) says nothing about it. */
function isCorruptionCode(code: unknown): boolean {
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/**
 * `PRAGMA quick_check` of one table and its indexes (of the whole file without `table`). A page
 * that cannot be decoded at all is corruption too; an error that is not SQLite's verdict on the
 * content (a lock held by a writer, memory) is not.
 */
export function quickCheck(db: SqliteDatabase, table?: string): CheckResult {
  try {
    const pragma = table === undefined ? 'quick_check' : `quick_check(${quoteIdent(table)})`;
    const rows = (db.pragma(pragma, { simple: false }) as { quick_check: string }[]).map((r) => r.quick_check);
    if (rows.length === 0 || (rows.length === 1 && rows[0] === 'ok')) return { ok: true };
    const detail = rows.length > 1 ? `${rows[0]} (and ${rows.length - 1} more problems)` : rows[0]!;
    return { ok: false, corrupt: true, locked: false, detail };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = (error as Error).message;
    const corrupt = isCorruptionCode(code);
    return {
      ok: false,
      corrupt,
      locked: isLockCode(code),
      detail: typeof code === 'string' && !corrupt ? `${code}: ${message}` : message,
    };
  }
}

/** {@link corruptSource} or {@link uncheckedSource} for a failed check of `file` (`where`: the table, if one). */
export function checkFailure(file: string, result: CheckResult & { ok: false }, where?: string): OxyError {
  const detail = where === undefined ? result.detail : `${where}: ${result.detail}`;
  return result.corrupt ? corruptSource(file, detail) : uncheckedSource(file, detail, result.locked);
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
  check(table: string): Promise<CheckResult>;
}

/**
 * quick_check of every table in `tables` (largest first), `checker.size` at a time; throws
 * {@link checkFailure} naming the first table found corrupt, or that could not be checked.
 */
export async function checkTables(file: string, tables: readonly string[], checker: TableChecker): Promise<void> {
  const queue = [...tables];
  let failure: OxyError | undefined;
  const lane = async () => {
    for (let table = queue.shift(); table !== undefined && failure === undefined; table = queue.shift()) {
      const result = await checker.check(table);
      if (!result.ok) failure ??= checkFailure(file, result, table);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, checker.size) }, lane));
  if (failure !== undefined) throw failure;
}
