import { createRequire } from 'node:module';
import type Driver from 'better-sqlite3';

export type SqliteDatabase = Driver.Database;
export type SqliteStatement = Driver.Statement;

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * The better-sqlite3 build for this Node.js: version 13 (Node-API, an optional dependency that
 * npm installs on Node 22 and newer) where it runs, else version 12 (Node 20; 13 does not load
 * there). Version 12's native objects abort the whole process on Node 24 when the garbage
 * collector frees a statement (`Assertion failed: (env) != nullptr` in
 * RemoveEnvironmentCleanupHook), so on 22+ version 13 is required, not just preferred.
 */
function loadDriver(): typeof Driver {
  const require = createRequire(import.meta.url);
  if (NODE_MAJOR >= 22) {
    try {
      return require('better-sqlite3-napi') as typeof Driver;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      if (NODE_MAJOR >= 24) {
        throw new Error(`better-sqlite3 13 is not installed, and version 12 crashes on Node ${process.versions.node}: run npm install again on this Node.js`);
      }
    }
  }
  return require('better-sqlite3') as typeof Driver;
}

/** The better-sqlite3 Database constructor (`new Sqlite(file, options)`). */
export const Sqlite: typeof Driver = loadDriver();
