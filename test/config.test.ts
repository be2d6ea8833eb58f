import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveStateDir } from '../src/config.js';
import { connectDatabase } from '../src/db/connect.js';
import { maskUrl, parseDatabaseUrl } from '../src/db/url.js';
import { ConfigError, DatabaseUnavailableError } from '../src/errors.js';
import { freshDatabase, postgresAdminUrl, tempDir } from './support/backends.js';
import { runOxy } from './support/run-cli.js';

const SECRET = 'p4ssw0rd';

describe('database URLs', () => {
  it('select SQLite by absolute path', () => {
    expect(parseDatabaseUrl('sqlite:///var/lib/oxy/db.sqlite', 'X')).toMatchObject({
      backend: 'sqlite',
      path: '/var/lib/oxy/db.sqlite',
    });
  });

  it('select SQLite by a path relative to the working folder', () => {
    expect(parseDatabaseUrl('sqlite://data/db.sqlite', 'X', '/home/me')).toMatchObject({
      backend: 'sqlite',
      path: '/home/me/data/db.sqlite',
    });
  });

  it.each(['postgres', 'postgresql'])('select PostgreSQL by the %s:// scheme', (scheme) => {
    expect(parseDatabaseUrl(`${scheme}://u:${SECRET}@db.example:6543/oxy`, 'X')).toMatchObject({
      backend: 'postgres',
      host: 'db.example',
      port: 6543,
      database: 'oxy',
      user: 'u',
      display: `${scheme}://u:****@db.example:6543/oxy`,
    });
  });

  it.each([
    ['mysql://u:p4ssw0rd@h/db', /unknown scheme 'mysql:'/],
    ['postgresql://u:p4ssw0rd@[bad/db', /malformed PostgreSQL URL/],
    ['postgresql://u:p4ssw0rd@host', /names no database/],
    ['just-a-path.sqlite', /is not a database URL/],
    ['sqlite:', /malformed SQLite URL/],
  ])('refuse %s with a one-line error that masks the password', (url, message) => {
    let error: unknown;
    try {
      parseDatabaseUrl(url, 'OXY_DATABASE_URL');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message: text, hint } = error as ConfigError;
    expect(text).toMatch(message);
    expect(text).toMatch(/^OXY_DATABASE_URL /);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('\n');
    expect(hint).toBeTruthy();
  });

  it('mask passwords wherever a URL is shown', () => {
    expect(maskUrl(`postgresql://oxy:${SECRET}@h:5432/db`)).toBe('postgresql://oxy:****@h:5432/db');
  });

  it('leave a URL without a password as it is', () => {
    expect(maskUrl('postgresql://oxy@h/db')).toBe('postgresql://oxy@h/db');
  });
});

describe('configuration', () => {
  it('puts state in OXY_STATE_DIR, over $XDG_DATA_HOME', () => {
    expect(resolveStateDir({ OXY_STATE_DIR: '/srv/oxy', XDG_DATA_HOME: '/x' })).toBe('/srv/oxy');
  });

  it('puts state in $XDG_DATA_HOME/oxy without OXY_STATE_DIR', () => {
    expect(resolveStateDir({ XDG_DATA_HOME: '/x/data' })).toBe('/x/data/oxy');
  });

  it('puts state in ~/.local/share/oxy without either', () => {
    expect(resolveStateDir({})).toBe(path.join(os.homedir(), '.local', 'share', 'oxy'));
  });

  it('defaults to SQLite at <state>/db.sqlite', () => {
    expect(loadConfig({ OXY_STATE_DIR: '/s' }).database).toMatchObject({ backend: 'sqlite', path: '/s/db.sqlite' });
  });

  it('takes OXY_DATABASE_URL over the SQLite default', () => {
    expect(loadConfig({ OXY_STATE_DIR: '/s', OXY_DATABASE_URL: 'postgresql://h/db' })).toMatchObject({
      databaseFromEnv: true,
      database: { backend: 'postgres' },
    });
  });

  it('reads the request log level from OXY_LOG_LEVEL', () => {
    expect(loadConfig({ OXY_LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
  });

  it('logs requests at level info by default', () => {
    expect(loadConfig({}).logLevel).toBe('info');
  });

  it('refuses an unknown OXY_AUTH', () => {
    expect(() => loadConfig({ OXY_AUTH: 'ldap' })).toThrow(/OXY_AUTH has an unknown value 'ldap'/);
  });

  it('serves the network without sign-in only when OXY_ALLOW_REMOTE_NO_AUTH says 1 or true', () => {
    expect(
      [undefined, '', '0', 'false', '1', 'true', 'TRUE'].map(
        (v) => loadConfig(v === undefined ? {} : { OXY_ALLOW_REMOTE_NO_AUTH: v }).allowRemoteNoAuth,
      ),
    ).toEqual([false, false, false, false, true, true, true]);
  });

  it('refuses an OXY_ALLOW_REMOTE_NO_AUTH it cannot read as yes or no', () => {
    expect(() => loadConfig({ OXY_ALLOW_REMOTE_NO_AUTH: 'yes please' })).toThrow(
      /^OXY_ALLOW_REMOTE_NO_AUTH has an unknown value 'yes please'$/,
    );
  });

  /** `fn` on a fresh SQLite database opened as oxy opens it. */
  async function onSqlite<T>(fn: (app: Awaited<ReturnType<typeof connectDatabase>>) => Promise<T>): Promise<T> {
    const db = await freshDatabase('sqlite');
    const app = await connectDatabase(parseDatabaseUrl(db.url, 'test'));
    try {
      return await fn(app);
    } finally {
      await app.close();
      await db.cleanup();
    }
  }

  it('opens SQLite in WAL mode', async () => {
    const mode = await onSqlite((app) => sql<{ journal_mode: string }>`pragma journal_mode`.execute(app.db));
    expect(mode.rows[0]!.journal_mode).toBe('wal');
  });

  it('opens SQLite with foreign keys enforced', async () => {
    const fks = await onSqlite((app) => sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(app.db));
    expect(fks.rows[0]!.foreign_keys).toBe(1);
  });
});

describe('connection failures', () => {
  it('name an unreachable server and its fix, without the password', async () => {
    const target = parseDatabaseUrl(`postgresql://postgres:${SECRET}@127.0.0.1:1/oxy`, 'X');
    const error = await connectDatabase(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toBe('cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED)');
    expect(JSON.stringify({ m: (error as Error).message, h: (error as DatabaseUnavailableError).hint })).not.toContain(
      SECRET,
    );
  });

  it('name a missing database and how to create it', async () => {
    const url = new URL(postgresAdminUrl());
    url.pathname = '/oxy_no_such_database';
    const error = await connectDatabase(parseDatabaseUrl(url.toString(), 'X')).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^database "oxy_no_such_database" does not exist on /);
    expect((error as DatabaseUnavailableError).hint).toMatch(/createdb/);
  });

  it('reach the user as one line and exit code 1 from the CLI', async () => {
    const result = await runOxy(['migrate'], {
      OXY_DATABASE_URL: `postgresql://postgres:${SECRET}@127.0.0.1:1/oxy`,
      OXY_STATE_DIR: tempDir(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Error: cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED)',
      'Hint: start the server, or fix the host and port in the database URL',
    ]);
  });
});

describe('configuration mistakes reach the CLI user', () => {
  it('as one line with the password masked, and exit code 1, for a bad OXY_DATABASE_URL', async () => {
    const bad = await runOxy(['serve'], {
      OXY_DATABASE_URL: `mysql://root:${SECRET}@localhost/x`,
      OXY_STATE_DIR: tempDir(),
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^Error: OXY_DATABASE_URL has an unknown scheme 'mysql:' \(mysql:\/\/root:\*\*\*\*@localhost\/x\)$/m,
    );
    expect(bad.stderr).not.toContain(SECRET);
  });

  it('as exit code 2 for a usage mistake', async () => {
    const usage = await runOxy(['serve', '--port', 'abc']);
    expect(usage.code).toBe(2);
  });
});

describe('environment values', () => {
  it('refuse an OXY_DATABASE_URL that is set but empty', () => {
    expect(() => loadConfig({ OXY_STATE_DIR: '/s', OXY_DATABASE_URL: '  ' })).toThrow(
      'OXY_DATABASE_URL is set but empty',
    );
  });

  it('refuse an unknown OXY_LOG_LEVEL', () => {
    expect(() => loadConfig({ OXY_STATE_DIR: '/s', OXY_LOG_LEVEL: 'loud' })).toThrow(
      "OXY_LOG_LEVEL has an unknown value 'loud'",
    );
  });

  it('take a known OXY_LOG_LEVEL, and info by default', () => {
    expect([
      loadConfig({ OXY_STATE_DIR: '/s', OXY_LOG_LEVEL: 'debug' }).logLevel,
      loadConfig({ OXY_STATE_DIR: '/s' }).logLevel,
    ]).toEqual(['debug', 'info']);
  });
});
