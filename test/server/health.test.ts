import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../src/db/migrations/index.js';
import { BACKENDS, postgresAdminUrl } from '../support/backends.js';
import { testApp } from '../support/app.js';

for (const backend of BACKENDS) {
  describe(`health (${backend})`, () => {
    it('answers live, ready and health with the backend and schema version after a round trip', async () => {
      const t = await testApp(backend);
      try {
        expect((await t.app.inject({ url: '/api/live' })).json()).toMatchObject({ status: 'ok' });
        for (const url of ['/api/ready', '/api/health']) {
          const res = await t.app.inject({ url });
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual({
            status: 'ok',
            version: expect.stringMatching(/^\d+\.\d+\.\d+/),
            database: { backend, schemaVersion: LATEST_SCHEMA_VERSION },
          });
        }
      } finally {
        await t.close();
      }
    });
  });
}

describe('health when PostgreSQL goes away', () => {
  it('answers 503 with the reason, and live still answers', async () => {
    const t = await testApp('postgres');
    try {
      const name = new URL(t.url).pathname.slice(1);
      const admin = new pg.Client({ connectionString: postgresAdminUrl() });
      await admin.connect();
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
      const res = await t.app.inject({ url: '/api/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        status: 'unavailable',
        database: {
          backend: 'postgres',
          error: `database "${name}" does not exist on ${new URL(t.url).hostname}:${new URL(t.url).port || 5432}`,
        },
      });
      expect((await t.app.inject({ url: '/api/live' })).statusCode).toBe(200);
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
