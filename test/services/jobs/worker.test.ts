import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectDatabase, type AppDatabase } from '../../../src/db/connect.js';
import { migrateToLatest } from '../../../src/db/migrator.js';
import { parseDatabaseUrl } from '../../../src/db/url.js';
import { JobRepository } from '../../../src/repositories/job.repository.js';
import { JobHandlerRegistry, type JobHandler } from '../../../src/services/jobs/job-handlers.js';
import { JobQueue, type Job } from '../../../src/services/jobs/job-queue.js';
import { JobAborted, JobWorker } from '../../../src/services/jobs/worker.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../../support/backends.js';
import { waitFor } from '../../support/wait-for.js';

/** The worker running real handlers on the real queue, on both backends. */
for (const backend of BACKENDS) {
  describe(`job worker (${backend})`, () => {
    let db: TestDatabase;
    let app: AppDatabase;
    let queue: JobQueue;
    const workers: JobWorker[] = [];
    const startWorker = (
      handlers: Record<string, JobHandler>,
      options: { concurrency?: number; progressEveryMs?: number } = {},
    ) => {
      const registry = new JobHandlerRegistry();
      for (const [kind, handler] of Object.entries(handlers)) registry.register(kind, handler);
      const worker = new JobWorker(queue, registry, { leaseMs: 2_000, heartbeatMs: 100, pollMs: 20, ...options });
      workers.push(worker);
      worker.start();
      return worker;
    };
    const settled = (id: string) =>
      waitFor(async () => {
        const job = await queue.get(id);
        return ['succeeded', 'failed', 'cancelled'].includes(job.status) && job;
      });

    beforeAll(async () => {
      db = await freshDatabase(backend);
      app = await connectDatabase(parseDatabaseUrl(db.url, 'test'));
      await migrateToLatest(app.db, app.dialect);
      queue = new JobQueue(new JobRepository(app), { backoff: { baseMs: 20, maxMs: 100 } });
    });
    beforeEach(async () => {
      await app.db.deleteFrom('jobs').execute();
    });
    afterEach(async () => {
      for (const worker of workers.splice(0)) await worker.stop({ graceMs: 100 });
    });
    afterAll(async () => {
      await app.close();
      await db.cleanup();
    });

    it('runs a job: the handler gets the payload, its progress and result are stored', async () => {
      startWorker({
        'test.sum': async (_job, ctx) => {
          const { a, b } = ctx.payload as { a: number; b: number };
          await ctx.progress({ phase: 'adding', done: 1, total: 1 });
          return { sum: a + b };
        },
      });
      const job = await queue.enqueue({ kind: 'test.sum', payload: { a: 2, b: 3 } });
      expect(await settled(job.id)).toMatchObject({
        status: 'succeeded',
        result: { sum: 5 },
        progress: { phase: 'adding', done: 1, total: 1 },
        attempts: 1,
        lease_owner: null,
      });
    });

    it('spaces progress writes out, and always stores the last progress reported', async () => {
      const seen: unknown[] = [];
      startWorker(
        {
          'test.items': async (job, ctx) => {
            for (let done = 1; done <= 200; done++) await ctx.progress({ phase: 'items', done, total: 200 });
            seen.push((await queue.get(job.id)).progress);
            return 'ok';
          },
        },
        { progressEveryMs: 60_000 },
      );
      const job = await queue.enqueue({ kind: 'test.items' });
      expect(await settled(job.id)).toMatchObject({ status: 'succeeded', progress: { done: 200, total: 200 } });
      // Written at the first report, then held back: the row lagged behind while the handler ran.
      expect(seen).toEqual([{ phase: 'items', done: 1, total: 200 }]);
    });

    it('runs up to its concurrency at once, and no more', async () => {
      let running = 0;
      let most = 0;
      startWorker(
        {
          'test.slow': async () => {
            most = Math.max(most, ++running);
            await delay(100);
            running--;
          },
        },
        { concurrency: 3 },
      );
      const jobs = await Promise.all(Array.from({ length: 9 }, () => queue.enqueue({ kind: 'test.slow' })));
      for (const job of jobs) expect((await settled(job.id)).status).toBe('succeeded');
      expect(most).toBe(3);
    });

    it('retries a throwing handler, then leaves the job failed with the last error', async () => {
      const attempts: number[] = [];
      startWorker({
        'test.broken': async (job) => {
          attempts.push(job.attempts);
          throw new Error(`broken on attempt ${job.attempts}`);
        },
      });
      const job = await queue.enqueue({ kind: 'test.broken', maxAttempts: 3 });
      expect(await settled(job.id)).toMatchObject({
        status: 'failed',
        attempts: 3,
        last_error: 'broken on attempt 3',
      });
      expect(attempts).toEqual([1, 2, 3]);
    });

    it('aborts a running handler’s signal when its job is cancelled, and records it cancelled', async () => {
      let seen: unknown;
      let started: Job | undefined;
      startWorker({
        'test.wait': async (job, ctx) => {
          started = job;
          await new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => {
              seen = ctx.signal.reason;
              reject(ctx.signal.reason as Error);
            }),
          );
        },
      });
      const job = await queue.enqueue({ kind: 'test.wait' });
      await waitFor(async () => started);
      expect((await queue.cancel(job.id)).cancel_requested_at).not.toBeNull();
      expect(await settled(job.id)).toMatchObject({ status: 'cancelled', last_error: 'the job was cancelled' });
      expect(seen).toBeInstanceOf(JobAborted);
    });

    it('on stop, hands a job that does not finish in the grace period back to the queue', async () => {
      let started = false;
      const worker = startWorker({
        'test.forever': async (_job, ctx) => {
          started = true;
          await delay(60_000, undefined, { signal: ctx.signal });
        },
      });
      const job = await queue.enqueue({ kind: 'test.forever' });
      await waitFor(async () => started);
      await worker.stop({ graceMs: 50 });
      expect(await queue.get(job.id)).toMatchObject({ status: 'queued', attempts: 0, lease_owner: null });
    });

    it('on stop, lets a job that finishes within the grace period finish', async () => {
      let started = false;
      const worker = startWorker({
        'test.short': async () => {
          started = true;
          await delay(200);
          return 'done';
        },
      });
      const job = await queue.enqueue({ kind: 'test.short' });
      await waitFor(async () => started);
      await worker.stop({ graceMs: 5_000 });
      expect(await queue.get(job.id)).toMatchObject({ status: 'succeeded', result: 'done' });
    });

    it('fails a job a dead worker left with no attempts, naming the expired lease', async () => {
      const job = await queue.enqueue({ kind: 'test.dies', maxAttempts: 1 });
      await queue.claim('dead', ['test.dies'], 1, 100);
      await delay(150);
      startWorker({ 'test.dies': async () => 'never runs again' });
      expect(await settled(job.id)).toMatchObject({
        status: 'failed',
        last_error: expect.stringMatching(/lease expired/),
      });
    });

    it('keeps jobs across a restart of the application database: a new worker finishes them', async () => {
      await queue.enqueue({ kind: 'test.after-restart', payload: { n: 1 } });
      await queue.enqueue({ kind: 'test.after-restart', payload: { n: 2 } });
      const [crashed] = await queue.claim('crashed', ['test.after-restart'], 1, 300);
      await app.close();
      app = await connectDatabase(parseDatabaseUrl(db.url, 'test'));
      queue = new JobQueue(new JobRepository(app), { backoff: { baseMs: 20, maxMs: 100 } });
      startWorker({ 'test.after-restart': async (_job, ctx) => ({ n: ctx.payload.n }) });
      const rows = await app.db.selectFrom('jobs').select('id').execute();
      const done = await Promise.all(rows.map((r) => settled(String(r.id))));
      const byN = done.sort((a, b) => Number(a.payload.n) - Number(b.payload.n));
      expect(byN.map((j) => [j.status, j.result, j.attempts])).toEqual([
        ['succeeded', { n: 1 }, crashed!.payload.n === 1 ? 2 : 1],
        ['succeeded', { n: 2 }, crashed!.payload.n === 2 ? 2 : 1],
      ]);
    });
  });
}
