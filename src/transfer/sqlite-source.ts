import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlite, type SqliteDatabase } from '../db/sqlite-driver.js';
import { Kysely } from 'kysely';
import { ImmediateSqliteDialect } from '../db/dialect/sqlite-immediate-dialect.js';
import { sqliteDialect } from '../db/dialect/sqlite.js';
import { migrateToLatest } from '../db/migrator.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../db/migrations/index.js';
import { ConfigError, OxyError } from '../errors.js';
import { checkFailure, isLockCode, LOCKED_HINT, quickCheck, tablesLargestFirst } from './source-integrity.js';
import { readAhead } from './source-readahead.js';
import { registerChecks } from './sqlite-functions.js';

export interface SqliteSource {
  /** The file the user named. */
  path: string;
  /** The handle rows are read from: the user's file read-only, or an upgraded temporary copy. */
  db: SqliteDatabase;
  schemaVersion: number;
  upgradedCopy: string | undefined;
  /**
   * Tables whose `PRAGMA quick_check` is still to run (source-integrity.ts, before
   * anything is read from it), largest first; empty when the whole file was checked on opening.
   */
  unchecked: string[];
  close(): void;
}

const HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');

function fail(message: string, hint: string): never {
  throw new OxyError('bad_source', message, { hint, exitCode: 1 });
}

function readHeader(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(16);
    fs.readSync(fd, header, 0, 16, 0);
    return header;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Opens an oxy SQLite database read-only as a transfer source. Refuses a missing file, a file that
 * is not SQLite, a schema newer than this binary, and (`PRAGMA quick_check`) a corrupt file: one
 * with an older schema at once, as a whole, before it is upgraded on a temporary copy (never on
 * the user's file); one with the current schema table by table, by the caller, in parallel
 * (`unchecked`). Checking by table covers every table and index the copy reads; it skips the
 * free-page list, which holds no data.
 */
export async function openSqliteSource(file: string): Promise<SqliteSource> {
  if (!fs.existsSync(file))
    fail(`SQLite source not found: ${file}`, 'pass --from sqlite:///path/to/db.sqlite (or set SQLITE_URL)');
  if (!fs.statSync(file).isFile())
    fail(`SQLite source is not a file: ${file}`, 'pass the path of the db.sqlite file itself');
  if (!readHeader(file).equals(HEADER))
    fail(`${file} is not a SQLite database`, 'pass the path of oxy’s db.sqlite (by default in ~/.local/share/oxy)');
  // Every check below, and the copy, then find the file in the page cache.
  await readAhead(file);
  let db: SqliteDatabase | undefined;
  let version: number;
  let tables: string[];
  try {
    db = openSqlite(file, { readonly: true, fileMustExist: true });
    version = schemaVersionOf(db, file);
    // Only a current schema is checked table by table (an older one is checked whole).
    tables = version === LATEST_SCHEMA_VERSION ? tablesLargestFirst(db) : [];
  } catch (error) {
    db?.close();
    if (error instanceof OxyError) throw error;
    if (isLockCode((error as { code?: unknown }).code))
      fail(`${file} is locked by another process: ${(error as Error).message}`, LOCKED_HINT);
    fail(`${file} cannot be read as SQLite: ${(error as Error).message}`, 'check the file is an intact oxy database');
  }
  if (version > LATEST_SCHEMA_VERSION) {
    db.close();
    fail(
      `${file} has schema version ${version}, newer than this oxy (${LATEST_SCHEMA_VERSION})`,
      'upgrade oxy to the version that wrote this database',
    );
  }
  if (version === LATEST_SCHEMA_VERSION) {
    registerChecks(db);
    const source = db;
    return {
      path: file,
      db: source,
      schemaVersion: version,
      upgradedCopy: undefined,
      unchecked: tables,
      close: () => source.close(),
    };
  }
  const check = quickCheck(db);
  if (!check.ok) {
    db.close();
    throw checkFailure(file, check);
  }
  // Older schema: upgrade a private copy (the backup API copies WAL content consistently).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-migrate-sqlite-'));
  const copy = path.join(dir, 'source.sqlite');
  let upgraded: SqliteDatabase;
  try {
    try {
      await db.backup(copy);
    } finally {
      db.close();
    }
    const kysely = new Kysely<any>({ dialect: new ImmediateSqliteDialect({ database: openSqlite(copy) }) });
    try {
      await migrateToLatest(kysely, sqliteDialect);
    } finally {
      await kysely.destroy();
    }
    upgraded = openSqlite(copy, { readonly: true });
  } catch (error) {
    // Nothing of a failed upgrade is left behind.
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  registerChecks(upgraded);
  return {
    path: file,
    db: upgraded,
    schemaVersion: version,
    upgradedCopy: copy,
    unchecked: [],
    close: () => {
      upgraded.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function schemaVersionOf(db: SqliteDatabase, file: string): number {
  const table = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
  if (!table) {
    const any = db.prepare("select count(*) as n from sqlite_master where type = 'table'").get() as { n: number };
    if (any.n > 0)
      throw new ConfigError(
        `${file} is a SQLite database but not an oxy one (no migration table)`,
        'pass the path of oxy’s db.sqlite',
      );
    return 0;
  }
  const names = (db.prepare('select name from kysely_migration').all() as { name: string }[]).map((r) => r.name);
  const known = new Set(MIGRATIONS.map((m) => m.name));
  const unknown = names.filter((n) => !known.has(n));
  return unknown.length > 0 ? LATEST_SCHEMA_VERSION + unknown.length : names.length;
}
