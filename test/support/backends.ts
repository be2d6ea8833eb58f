import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

/** Every storage and API test runs once per backend. */
export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface TestDatabase {
  url: string;
  backend: Backend;
  cleanup(): Promise<void>;
}

let counter = 0;

/** The admin URL of the test PostgreSQL (see global-setup.ts). */
export function postgresAdminUrl(): string {
  const url = inject('postgresAdminUrl') ?? process.env.OXY_TEST_POSTGRES_URL;
  if (!url) throw new Error('no test PostgreSQL: run the tests through vitest (global-setup.ts)');
  return url;
}

/** A new, empty folder under the system temp folder. */
export function tempDir(prefix = 'oxy-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A new empty database: a SQLite file in a fresh folder (`sqlite:///…/db.sqlite`) or a freshly
 * created PostgreSQL database on the test server. `cleanup` removes it.
 *
 * @example
 * for (const backend of BACKENDS) describe(backend, () => { let db: TestDatabase; beforeAll(async () => { db = await freshDatabase(backend) }); afterAll(() => db.cleanup()); })
 */
export async function freshDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'sqlite') {
    const dir = tempDir('oxy-test-sqlite-');
    return {
      backend,
      url: `sqlite://${path.join(dir, 'db.sqlite')}`,
      cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const admin = postgresAdminUrl();
  const name = `oxy_test_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    backend,
    url: url.toString(),
    async cleanup() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
