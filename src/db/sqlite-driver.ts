import { createRequire } from 'node:module';
import type Driver from 'better-sqlite3';
import { dbErrors } from './db-errors.js';

export type SqliteDatabase = Driver.Database;
export type SqliteStatement = Driver.Statement;

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
let driver: typeof Driver | undefined;

/**
 * The better-sqlite3 build for this Node.js, loaded on first use (so commands that never open a
 * SQLite file, and --help, work without it): version 13 (Node-API, an optional dependency npm
 * installs on Node 22 and newer) where present, else version 12 (Node 20, where 13 does not load;
 * it also works on 22). On Node 24 only 13 will do: 12's native objects abort the whole process
 * there when the garbage collector frees a statement (`Assertion failed: (env) != nullptr`).
 */
function loadDriver(): typeof Driver {
  const require = createRequire(import.meta.url);
  if (NODE_MAJOR >= 22) {
    try {
      return require('better-sqlite3-napi') as typeof Driver;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      if (NODE_MAJOR >= 24) throw dbErrors.sqliteDriverMissing(process.versions.node);
    }
  }
  return require('better-sqlite3') as typeof Driver;
}

/** Opens (or creates) a SQLite file with better-sqlite3: `new Database(file, options)`. */
export function openSqlite(file: string, options?: Driver.Options): SqliteDatabase {
  const Database = sqliteDriver();
  return new Database(file, options);
}

/** The constructor itself, loaded once (tests check which build is in use). */
export function sqliteDriver(): typeof Driver {
  driver ??= loadDriver();
  return driver;
}
