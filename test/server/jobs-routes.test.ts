import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogSyncHandler, type CatalogSyncer } from '../../src/services/jobs/catalog-sync.job.js';
import { JobHandlerRegistry } from '../../src/services/jobs/job-handlers.js';
import { JobWorker } from '../../src/services/jobs/worker.js';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { RoleFixture } from '../support/role-fixture.js';
import { waitFor } from '../support/wait-for.js';

/** The job routes: enqueue a catalog sync (202), watch it, cancel it, on both backends. */
for (const backend of BACKENDS) {
  describe(`job routes (${backend})`, () => {
    let t: TestApp;
    let project: string;
    let database: string;
    const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const res = await t.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    };

    beforeAll(async () => {
      t = await testApp(backend);
      const workspace = (await call('POST', '/api/workspaces', { name: 'W', slug: `jobs-${backend}` })).body.id;
      project = (await call('POST', '/api/projects', { workspace_id: workspace, name: 'P' })).body.id;
      database = (
        await call('POST', '/api/databases', {
          project_id: project,
          name: 'shop',
          kind: 'duckdb',
          config: { dataset: '/data' },
        })
      ).body.id;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers a sync with 202 and the queued catalog.sync job, in the database’s project', async () => {
      const res = await call('POST', `/api/databases/${database}/sync`);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        kind: 'catalog.sync',
        status: 'queued',
        payload: { databaseId: database },
        project_id: project,
        attempts: 0,
        progress: null,
        result: null,
      });
    });

    it('shows the job by GET /api/jobs/:id', async () => {
      const queued = (await call('POST', `/api/databases/${database}/sync`)).body;
      const res = await call('GET', `/api/jobs/${queued.id}`);
      expect(res).toEqual({ status: 200, body: queued });
    });

    it('answers a sync of a database that does not exist with 404', async () => {
      const res = await call('POST', '/api/databases/01900000-0000-7000-8000-000000000000/sync');
      expect(res.status).toBe(404);
    });

    it('cancels a queued job at once, and refuses a second cancel with 409', async () => {
      const queued = (await call('POST', `/api/databases/${database}/sync`)).body;
      const cancelled = await call('POST', `/api/jobs/${queued.id}/cancel`);
      expect(cancelled).toMatchObject({ status: 200, body: { id: queued.id, status: 'cancelled' } });
      const again = await call('POST', `/api/jobs/${queued.id}/cancel`);
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ code: 'job_finished', message: expect.stringMatching(/cancelled/) });
    });

    it('shows a worker’s progress and result, reported through the catalog.sync handler', async () => {
      const calls: string[] = [];
      const catalog: CatalogSyncer = {
        async sync(databaseId, options) {
          calls.push(databaseId);
          await options?.onProgress?.({ phase: 'tables', done: 3, total: 3 });
          return { tables: 3, aborted: options?.signal?.aborted ?? 'no signal' };
        },
      };
      const job = (await call('POST', `/api/databases/${database}/sync`)).body;
      const registry = new JobHandlerRegistry().register('catalog.sync', catalogSyncHandler(catalog));
      const worker = new JobWorker(t.services.jobs, registry, { pollMs: 20 });
      worker.start();
      try {
        const done = await waitFor(async () => {
          const res = await call('GET', `/api/jobs/${job.id}`);
          return res.body.status === 'succeeded' && res.body;
        });
        expect(done).toMatchObject({
          progress: { phase: 'tables', done: 3, total: 3 },
          result: { tables: 3, aborted: false },
          finished_at: expect.any(String),
        });
        expect(calls).toContain(database);
      } finally {
        await worker.stop();
      }
    });
  });

  describe(`who sees and cancels a job (${backend})`, () => {
    let t: TestApp;
    let f: RoleFixture;
    const as = async (who: string, method: 'GET' | 'POST', url: string) =>
      (await t.app.inject({ method, url, headers: { cookie: f.person(who).cookie } })).statusCode;

    beforeAll(async () => {
      t = await testApp(backend, { env: { OXY_AUTH: 'password' } });
      f = new RoleFixture(t);
      await f.setUp();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('shows a job without a project to instance admins only', async () => {
      const job = await t.services.jobs.enqueue({ kind: 'test.instance-wide' });
      expect(await as('instance admin', 'GET', `/api/jobs/${job.id}`)).toBe(200);
      expect(await as('instance member', 'GET', `/api/jobs/${job.id}`)).toBe(404);
      expect(await as('workspace owner', 'GET', `/api/jobs/${job.id}`)).toBe(404);
    });

    it('lets a project’s viewers read its job, its editors cancel it, and no one outside', async () => {
      const job = await t.services.jobs.enqueue({ kind: 'test.project', projectId: f.shared.projects! });
      expect(await as('workspace viewer', 'GET', `/api/jobs/${job.id}`)).toBe(200);
      expect(await as('non-member', 'GET', `/api/jobs/${job.id}`)).toBe(404);
      expect(await as('workspace viewer', 'POST', `/api/jobs/${job.id}/cancel`)).toBe(403);
      expect(await as('non-member', 'POST', `/api/jobs/${job.id}/cancel`)).toBe(404);
      expect(await as('workspace editor', 'POST', `/api/jobs/${job.id}/cancel`)).toBe(200);
      expect((await t.services.jobs.get(job.id)).status).toBe('cancelled');
    });
  });
}
