import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../src/db/migrations/index.js';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';

/** GET /api/status: the schema's migrations, the queue per kind and the workers holding leases, on both backends. */
for (const backend of BACKENDS) {
  describe(`instance status (${backend})`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await testApp(backend);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('shows the backend, the schema version and no pending migrations on a migrated database', async () => {
      const res = await t.app.inject({ url: '/api/status' });
      expect(res.statusCode).toBe(200);
      expect(res.json().database).toEqual({
        backend,
        schemaVersion: LATEST_SCHEMA_VERSION,
        latestSchemaVersion: LATEST_SCHEMA_VERSION,
        pendingMigrations: [],
        unknownMigrations: [],
      });
    });

    it('counts jobs per kind and status, and the live and expired leases by worker', async () => {
      const { jobs } = t.services;
      // Kinds no worker of this app handles: nothing but this test moves them.
      for (let i = 0; i < 4; i++) await jobs.enqueue({ kind: 'status.a' });
      await jobs.enqueue({ kind: 'status.b', maxAttempts: 1 });
      await jobs.claim('worker-1', ['status.a'], 2, 60_000);
      await jobs.claim('worker-2', ['status.a'], 1, 60_000);
      const [dead] = await jobs.claim('worker-3', ['status.b'], 1, -1_000);
      await jobs.finish(dead!, 'worker-3', { kind: 'failed', error: 'boom' });
      await jobs.enqueue({ kind: 'status.b' });
      await jobs.claim('worker-3', ['status.b'], 1, -1_000);

      const body = (await t.app.inject({ url: '/api/status' })).json();
      const kinds = body.jobs.kinds.filter((k: { kind: string }) => k.kind.startsWith('status.'));
      expect(kinds).toEqual([
        { kind: 'status.a', queued: 1, running: 3, succeeded: 0, failed: 0, cancelled: 0 },
        { kind: 'status.b', queued: 0, running: 1, succeeded: 0, failed: 1, cancelled: 0 },
      ]);
      expect(body.jobs.workers).toEqual([
        { owner: 'worker-1', leases: 2 },
        { owner: 'worker-2', leases: 1 },
      ]);
      expect(body.jobs.expiredLeases).toBe(1);
    });

    it('is for instance admins only', async () => {
      const locked = await testApp(backend, { env: { OXY_AUTH: 'password' } });
      try {
        expect((await locked.app.inject({ url: '/api/status' })).statusCode).toBe(401);
      } finally {
        await locked.close();
      }
    });
  });
}
