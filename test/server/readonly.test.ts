import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../../src/db/entities.js';
import { SAFE_METHODS } from '../../src/server/readonly-guard.js';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';

const SAMPLE_ID = '01900000-0000-7000-8000-000000000001';

for (const backend of BACKENDS) {
  describe(`--readonly (${backend})`, () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await testApp(backend, { readonly: true });
    });
    afterAll(async () => {
      await t.close();
    });

    it('refuses every route that could change data with 403 read_only, and changes nothing', async () => {
      // Walks whatever routes exist, so a mutating route added later cannot escape the guard.
      const mutating = t.app.routeTable.filter((r) => !SAFE_METHODS.has(r.method) && !r.readonlyExempt);
      expect(mutating.length).toBeGreaterThanOrEqual(13 * 3);
      const counts = () => Promise.all(TABLE_NAMES.map((table) => t.services.repo.count(table)));
      const before = await counts();
      for (const route of mutating) {
        const url = route.url.replace(/:id\b/g, SAMPLE_ID).replace(/:\w+/g, 'x');
        const res = await t.app.inject({
          method: route.method as 'POST',
          url,
          payload: { name: 'x', slug: 'x', value: 'x' },
        });
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
        expect(res.json().error.code, `${route.method} ${route.url}`).toBe('read_only');
      }
      expect(await counts()).toEqual(before);
    });

    it('runs read-only SQL on a read-only server (the SQL routes are exempt)', async () => {
      const exempt = t.app.routeTable.filter((r) => r.readonlyExempt).map((r) => `${r.method} ${r.url}`);
      expect(exempt).toEqual([
        'POST /api/databases/:id/test',
        'POST /api/projects/:id/sql',
        'POST /api/projects/:id/sql.csv',
        'POST /api/queries/:id/run',
        'GET /api/queries/:id/results.csv',
        'HEAD /api/queries/:id/results.csv',
        // Checks a workflow definition, storing nothing.
        'POST /api/projects/:id/workflows/validate',
        // Answers questions, streamed, storing nothing (see test/server/threads.test.ts).
        'POST /api/threads/:id/messages',
      ]);
    });

    it('lets through a non-GET route that declares config.readonlyExempt', async () => {
      const other = await testApp(backend, { readonly: true });
      try {
        other.app.post('/api/probe', { config: { readonlyExempt: true, permission: { public: true } } }, async () => ({
          ok: true,
        }));
        expect((await other.app.inject({ method: 'POST', url: '/api/probe' })).statusCode).toBe(200);
      } finally {
        await other.close();
      }
    });

    it('keeps reads working', async () => {
      expect((await t.app.inject({ url: '/api/health' })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/api/users' })).json().items).toHaveLength(1);
      expect(t.app.routeTable.map(({ method, url }) => ({ method, url }))).toContainEqual({
        method: 'GET',
        url: '/api/threads/:id/messages',
      });
    });
  });
}
