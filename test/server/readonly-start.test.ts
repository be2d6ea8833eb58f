import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { openMigratedDatabase, openReadOnlyDatabase } from '../../src/db/open-app-database.js';
import { startServer } from '../../src/server/run-server.js';
import { createAppServices } from '../../src/services/app-services.js';
import { BACKENDS, freshDatabase, tempDir, type Backend, type TestDatabase } from '../support/backends.js';
import { runOxy } from '../support/run-cli.js';

const SERVE = { readonly: true, port: 0, host: '127.0.0.1', http2Only: false };

/**
 * Everything a start could change: the SQLite file's bytes, its folder and its write-ahead log,
 * or every PostgreSQL table's rows. SQLite itself creates the -wal and -shm companions of a WAL
 * database to read it (it cannot remove them without write access): the log must stay empty.
 */
async function snapshot(db: TestDatabase): Promise<unknown> {
  if (db.backend === 'sqlite') {
    const file = new URL(db.url).pathname;
    const wal = `${file}-wal`;
    return {
      files: fs
        .readdirSync(path.dirname(file))
        .filter((f) => !/-(wal|shm)$/.test(f))
        .sort(),
      sha256: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'),
      walBytes: fs.existsSync(wal) ? fs.statSync(wal).size : 0,
    };
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const tables = (
      await client.query<{ name: string }>(
        `select table_name as name from information_schema.tables where table_schema = 'public' order by 1`,
      )
    ).rows.map((r) => r.name);
    const out: Record<string, unknown> = {};
    for (const table of tables) out[table] = (await client.query(`select * from "${table}" order by 1`)).rows;
    return out;
  } finally {
    await client.end();
  }
}

/**
 * A database as a read-write oxy leaves it: migrated, the local owner, a workspace, a sealed
 * secret, and an account signed in once (returns that session's token).
 */
async function prepare(config: Config): Promise<string> {
  const { database } = await openMigratedDatabase(config);
  try {
    const services = await createAppServices(config, database);
    const owner = await services.auth.ensureLocalOwner();
    await services.repo.insert('workspaces', { name: 'Data', slug: 'data', owner_id: owner.id });
    await services.secrets.create({ name: 'TOKEN', value: 's3cret' });
    await services.auth.createUser({ email: 'reader@example.com', role: 'member', password: 'correct horse battery' });
    return (await services.auth.login('reader@example.com', 'correct horse battery')).token;
  } finally {
    await database.close();
  }
}

const quiet = { log: () => undefined, logStream: process.stderr };
// startServer logs requests at OXY_LOG_LEVEL (default info) to stderr.
process.env.OXY_LOG_LEVEL = 'warn';

for (const backend of BACKENDS) {
  describe(`oxy serve --readonly writes nothing (${backend})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    const fresh = async (b: Backend = backend) => {
      const db = await freshDatabase(b);
      cleanups.push(() => db.cleanup());
      return db;
    };
    let db: TestDatabase;
    let config: Config;
    let token: string;

    beforeAll(async () => {
      db = await fresh();
      config = loadConfig({ OXY_STATE_DIR: tempDir(), OXY_DATABASE_URL: db.url });
      token = await prepare(config);
    });
    afterAll(async () => {
      for (const cleanup of cleanups) await cleanup();
    });

    it('leaves the database exactly as it was after starting, serving reads and shutting down', async () => {
      const before = await snapshot(db);
      const server = await startServer(config, SERVE, quiet);
      try {
        const address = server.app.server.address() as { port: number };
        const res = await fetch(`http://127.0.0.1:${address.port}/api/workspaces`);
        expect(res.status).toBe(200);
        expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1);
      } finally {
        await server.close();
      }
      expect(await snapshot(db)).toEqual(before);
    });

    it('records nothing when a signed-in session is used (no last-seen time)', async () => {
      const before = await snapshot(db);
      const server = await startServer(
        loadConfig({ OXY_STATE_DIR: config.stateDir, OXY_DATABASE_URL: db.url, OXY_AUTH: 'password' }),
        SERVE,
        quiet,
      );
      try {
        const address = server.app.server.address() as { port: number };
        const me = await fetch(`http://127.0.0.1:${address.port}/api/auth/me`, {
          headers: { cookie: `oxy_session=${token}` },
        });
        expect(me.status).toBe(200);
      } finally {
        await server.close();
      }
      expect(await snapshot(db)).toEqual(before);
    });

    it('refuses to sign in, which would write a session', async () => {
      const server = await startServer(
        loadConfig({ OXY_STATE_DIR: config.stateDir, OXY_DATABASE_URL: db.url, OXY_AUTH: 'password' }),
        SERVE,
        quiet,
      );
      try {
        const res = await server.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: 'reader@example.com', password: 'correct horse battery' },
        });
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('read_only');
      } finally {
        await server.close();
      }
    });

    it('creates no state folder or key file', async () => {
      const key = fs.readFileSync(path.join(config.stateDir, 'encryption_key.txt'), 'utf8');
      const missing = path.join(tempDir(), 'never-created');
      const server = await startServer(
        loadConfig({ OXY_STATE_DIR: missing, OXY_DATABASE_URL: db.url, OXY_ENCRYPTION_KEY: key }),
        SERVE,
        quiet,
      );
      await server.close();
      expect(fs.existsSync(missing)).toBe(false);
    });

    it('opens a database handle that itself refuses writes', async () => {
      const { database } = await openReadOnlyDatabase(config);
      try {
        await expect(sql`create table intruder (id integer)`.execute(database.db)).rejects.toThrow(
          /read-only|readonly/,
        );
      } finally {
        await database.close();
      }
    });

    it('refuses a database never migrated, naming oxy migrate, and leaves it untouched', async () => {
      const empty = await fresh();
      const result = await runOxy(
        ['serve', '--readonly', '--port', '0'],
        { OXY_STATE_DIR: tempDir(), OXY_DATABASE_URL: empty.url },
        { timeoutMs: 30_000 },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^Hint: run `oxy migrate`/m);
      if (backend === 'sqlite') expect(fs.existsSync(new URL(empty.url).pathname)).toBe(false);
      else expect(await snapshot(empty)).toEqual({});
    });

    it('refuses a database one migration behind, naming what is pending', async () => {
      const behind = await fresh();
      const behindConfig = loadConfig({ OXY_STATE_DIR: tempDir(), OXY_DATABASE_URL: behind.url });
      const { database } = await openMigratedDatabase(behindConfig);
      await sql`delete from kysely_migration where name = '0003_sessions'`.execute(database.db);
      await sql`drop table sessions`.execute(database.db);
      await database.close();
      await expect(startServer(behindConfig, SERVE, quiet)).rejects.toMatchObject({
        code: 'schema_outdated',
        message: expect.stringMatching(/^the database is at schema version \d+ of \d+ \(pending: 0003_sessions\)/),
        hint: expect.stringMatching(/^run `oxy migrate`/),
      });
    });

    it('says what to run first when OXY_AUTH=none has no local owner yet', async () => {
      const ownerless = await fresh();
      const ownerlessConfig = loadConfig({ OXY_STATE_DIR: tempDir(), OXY_DATABASE_URL: ownerless.url });
      await (await openMigratedDatabase(ownerlessConfig)).database.close();
      await expect(startServer(ownerlessConfig, SERVE, quiet)).rejects.toMatchObject({
        code: 'no_local_owner',
        hint: 'start `oxy serve` once without --readonly to create it, or use OXY_AUTH=password',
      });
    });
  });
}
