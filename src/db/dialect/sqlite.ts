import fs from 'node:fs';
import path from 'node:path';
import { makeDirectory } from '../../util/make-directory.js';
import { openSqlite, type SqliteDatabase } from '../sqlite-driver.js';
import { Kysely, sql } from 'kysely';
import { OxyError } from '../../errors.js';
import { dbErrors } from '../db-errors.js';
import type { ColumnDef, LogicalType } from '../entities.js';
import type { DatabaseTarget } from '../url.js';
import type { CatalogTable, ConstraintKind, StorageDialect } from './storage-dialect.js';
import { ImmediateSqliteDialect } from './sqlite-immediate-dialect.js';

const TYPES: Record<LogicalType, string> = {
  uuid: 'text',
  text: 'text',
  timestamp: 'text',
  json: 'text',
  boolean: 'integer',
  bytes: 'blob',
  integer: 'integer',
};

/**
 * A new database file is made readable by its owner alone (it holds password hashes and sessions);
 * SQLite gives its -wal and -shm files the same mode. An existing file keeps the mode it has.
 */
function createPrivately(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function createFolder(dir: string): void {
  try {
    makeDirectory(dir);
  } catch (error) {
    throw dbErrors.sqliteFolderUncreatable(dir, (error as Error).message);
  }
}

/** Opens the SQLite file with the pragmas oxy relies on (WAL, enforced foreign keys, busy wait). */
export function openSqliteFile(file: string, options: { readonly?: boolean } = {}): SqliteDatabase {
  if (options.readonly) {
    if (!fs.existsSync(file)) throw dbErrors.sqliteFileMissing(file);
  }
  let handle: SqliteDatabase;
  try {
    if (!options.readonly) {
      createFolder(path.dirname(file));
      createPrivately(file);
    }
    handle = openSqlite(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    handle.pragma('busy_timeout = 10000');
    if (!options.readonly) {
      handle.pragma('journal_mode = WAL');
      handle.pragma('synchronous = NORMAL');
    }
    handle.pragma('foreign_keys = ON');
  } catch (error) {
    if (error instanceof OxyError) throw error; // e.g. the driver missing, with its own fix
    throw dbErrors.sqliteUnopenable(file, error);
  }
  return handle;
}

export const sqliteDialect: StorageDialect = {
  backend: 'sqlite',
  skipLocked: false,

  async open(target: DatabaseTarget, options = {}) {
    if (target.backend !== 'sqlite') throw new Error('sqlite dialect needs a sqlite target');
    const database = openSqliteFile(target.path, options);
    return new Kysely<any>({ dialect: new ImmediateSqliteDialect({ database }) });
  },

  columnType: (type) => TYPES[type],

  defaultValue(column: ColumnDef) {
    const value = column.default;
    if (typeof value === 'boolean') return sql.lit(value ? 1 : 0);
    if (typeof value === 'number') return sql.lit(value);
    return sql.lit(String(value));
  },

  encode(type, value) {
    if (value === null || value === undefined) return null;
    switch (type) {
      case 'boolean':
        return value ? 1 : 0;
      case 'json':
        return JSON.stringify(value);
      default:
        return value;
    }
  },

  decode(type, value) {
    if (value === null || value === undefined) return null;
    switch (type) {
      case 'boolean':
        return value === 1 || value === 1n || value === true;
      case 'json':
        return typeof value === 'string' ? JSON.parse(value) : value;
      case 'integer':
        return typeof value === 'bigint' ? Number(value) : value;
      default:
        return value;
    }
  },

  constraintViolated(error): ConstraintKind | undefined {
    const code = (error as { code?: unknown })?.code;
    if (typeof code !== 'string') return undefined;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
    // ON DELETE RESTRICT reports itself as a trigger failure.
    if (
      code === 'SQLITE_CONSTRAINT_FOREIGNKEY' ||
      (code === 'SQLITE_CONSTRAINT_TRIGGER' && /FOREIGN KEY/i.test(String((error as Error).message)))
    )
      return 'foreign_key';
    if (code === 'SQLITE_CONSTRAINT_NOTNULL') return 'not_null';
    if (code === 'SQLITE_CONSTRAINT_CHECK') return 'check';
    return undefined;
  },

  connectionError: () => undefined,

  async introspect(db) {
    const tables = await sql<{ name: string }>`
      select name from sqlite_master
      where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'
      order by name`.execute(db);
    const result: CatalogTable[] = [];
    for (const { name } of tables.rows) {
      const cols = await sql<{ name: string; type: string; notnull: number; pk: number }>`
        select name, type, "notnull", pk from pragma_table_info(${name})`.execute(db);
      const fks = await sql<{ from: string; table: string; on_delete: string }>`
        select "from", "table", on_delete from pragma_foreign_key_list(${name})`.execute(db);
      const indexes = await sql<{ name: string; unique: number; origin: string }>`
        select name, "unique", origin from pragma_index_list(${name})`.execute(db);
      const uniques: string[][] = [];
      for (const index of indexes.rows.filter((i) => i.unique === 1 && i.origin !== 'pk')) {
        const cols = await sql<{
          name: string;
        }>`select name from pragma_index_info(${index.name}) order by seqno`.execute(db);
        uniques.push(cols.rows.map((c) => c.name));
      }
      result.push({
        name,
        columns: cols.rows.map((c) => ({
          name: c.name,
          type: c.type.toLowerCase(),
          nullable: c.notnull === 0 && c.pk === 0,
        })),
        foreignKeys: fks.rows.map((f) => ({
          column: f.from,
          references: f.table,
          onDelete: f.on_delete.toLowerCase() as CatalogTable['foreignKeys'][number]['onDelete'],
        })),
        uniques,
      });
    }
    return result;
  },

  async serverVersion(db) {
    const { rows } = await sql<{ v: string }>`select sqlite_version() as v`.execute(db);
    return `SQLite ${rows[0]?.v ?? 'unknown'}`;
  },
  async addUnique(db, table, columns) {
    const name = `${table}_${columns.join('_')}_key`;
    await sql`create unique index ${sql.id(name)} on ${sql.table(table)} (${sql.join(columns.map((c) => sql.id(c)))})`.execute(
      db,
    );
  },
};
