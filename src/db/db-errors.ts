import { defineConfigError, defineError, defineUnavailableError } from '../errors.js';

type PostgresTarget = { host: string; port: number; database: string; user: string };

const URL_EXAMPLE = 'use postgresql://user:password@host:5432/database or sqlite:///absolute/path/db.sqlite';
const where = (t: PostgresTarget) => `${t.host}:${t.port}/${t.database}`;

/**
 * Every error of the application database: its URL, opening it, reaching PostgreSQL, migrating
 * it. `source` names where a URL came from (OXY_DATABASE_URL, --to…); URLs arrive here masked.
 */
export const dbErrors = {
  // The URL (ConfigError: exit 1).
  notAUrl: defineConfigError((source: string, masked: string) => ({
    message: `${source} is not a database URL (${masked || 'empty'})`,
    hint: URL_EXAMPLE,
  })),
  malformedSqliteUrl: defineConfigError((source: string, url: string) => ({
    message: `${source} has a malformed SQLite URL (${url})`,
    hint: 'use sqlite:///absolute/path/db.sqlite or sqlite://relative/path/db.sqlite',
  })),
  malformedPostgresUrl: defineConfigError((source: string, masked: string) => ({
    message: `${source} is a malformed PostgreSQL URL (${masked})`,
    hint: URL_EXAMPLE,
  })),
  noHost: defineConfigError((source: string, masked: string) => ({
    message: `${source} names no host (${masked})`,
    hint: URL_EXAMPLE,
  })),
  noDatabase: defineConfigError((source: string, masked: string) => ({
    message: `${source} names no database (${masked})`,
    hint: 'add the database name after the host, e.g. postgresql://user:password@localhost:5432/oxy',
  })),
  unknownScheme: defineConfigError((source: string, scheme: string, masked: string) => ({
    message: `${source} has an unknown scheme '${scheme}:' (${masked})`,
    hint: URL_EXAMPLE,
  })),

  // Opening SQLite.
  sqliteFileMissing: defineConfigError((file: string) => ({
    message: `SQLite file not found: ${file}`,
    hint: 'check the path in the URL',
  })),
  sqliteFolderUncreatable: defineConfigError((dir: string, reason: string) => ({
    message: `cannot create the folder ${dir} for the SQLite database (${reason})`,
    hint: 'point OXY_DATABASE_URL at a file in a folder you can write to, e.g. sqlite:///home/me/oxy/db.sqlite',
  })),
  sqliteMissingReadonly: defineError('database_missing', (file: string) => ({
    message: `the SQLite database ${file} does not exist and --readonly creates nothing`,
    hint: 'run `oxy migrate` first to create it, then start with --readonly again',
  })),
  sqliteUnopenable: defineUnavailableError((file: string, cause: unknown) => ({
    message: `cannot open SQLite database ${file}: ${(cause as Error).message}`,
    hint: 'check that the path is a writable SQLite file, or point OXY_DATABASE_URL elsewhere',
    cause,
  })),
  sqliteDriverMissing: defineError('sqlite_driver_missing', (nodeVersion: string) => ({
    message: `better-sqlite3 13, which SQLite needs on Node ${nodeVersion}, is not installed`,
    hint: 'run npm ci again with this Node.js (npm installs it only on Node 22 and newer), or use PostgreSQL: OXY_DATABASE_URL=postgresql://…',
  })),

  // Reaching PostgreSQL (DatabaseUnavailableError: 503).
  passwordRejected: defineUnavailableError((t: PostgresTarget, cause: unknown) => ({
    message: `PostgreSQL rejected the password for user "${t.user}" at ${where(t)}`,
    hint: 'fix the user or password in the database URL',
    cause,
  })),
  userRefused: defineUnavailableError((t: PostgresTarget, reason: string, cause: unknown) => ({
    message: `PostgreSQL refused user "${t.user}" at ${where(t)}: ${reason}`.trim(),
    hint: 'check the user name in the URL and the server’s pg_hba.conf',
    cause,
  })),
  databaseMissing: defineUnavailableError((t: PostgresTarget, cause: unknown) => ({
    message: `database "${t.database}" does not exist on ${t.host}:${t.port}`,
    hint: `create it (createdb -h ${t.host} -p ${t.port} -U ${t.user} ${t.database}) or fix the URL`,
    cause,
  })),
  serverNotAccepting: defineUnavailableError((t: PostgresTarget, cause: unknown) => ({
    message: `PostgreSQL at ${t.host}:${t.port} is starting up or shutting down`,
    hint: 'wait until it accepts connections and try again',
    cause,
  })),
  unreachable: defineUnavailableError((t: PostgresTarget, reason: string, cause: unknown) => ({
    message: `cannot reach PostgreSQL at ${t.host}:${t.port} (${reason})`,
    hint: 'start the server, or fix the host and port in the database URL',
    cause,
  })),

  // Migrating.
  schemaOutdated: defineError(
    'schema_outdated',
    (status: { version: number; latest: number; pending: string[] }) => ({
      message: `the database ${status.version === 0 ? 'has no oxy schema yet' : `is at schema version ${status.version} of ${status.latest}`} (pending: ${status.pending.join(', ')}) and --readonly applies no migrations`,
      hint: 'run `oxy migrate` with the same OXY_DATABASE_URL first, then start with --readonly again',
    }),
    { status: 503, exitCode: 1 },
  ),
  schemaTooNew: defineError(
    'schema_too_new',
    (unknown: string[]) => ({
      message: `the database schema is newer than this oxy (unknown migrations: ${unknown.join(', ')})`,
      hint: 'upgrade oxy to the version that last migrated this database',
    }),
    { status: 503, exitCode: 1 },
  ),
  migrationFailed: defineError('migration_failed', (name: string, reason: string, cause: unknown) => ({
    message: `migration ${name} failed: ${reason}`,
    hint: 'nothing of it was applied; fix the cause and run `oxy migrate` again',
    cause,
  })),
};
