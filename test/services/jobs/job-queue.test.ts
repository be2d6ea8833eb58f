import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectDatabase, type AppDatabase } from '../../../src/db/connect.js';
import { migrateToLatest } from '../../../src/db/migrator.js';
import { parseDatabaseUrl } from '../../../src/db/url.js';
import { JobRepository } from '../../../src/repositories/job.repository.js';
import { JobQueue } from '../../../src/services/jobs/job-queue.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../../support/backends.js';

/** The queue's rules on both backends, on a clock the tests move (the SQL compares against it). */
for (const backend of BACKENDS) {
  describe(`job queue (${backend})`, () => {
    let db: TestDatabase;
    let app: AppDatabase;
    let queue: JobQueue;
    let clock: Date;
    const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));
    const KINDS = ['test.a', 'test.b'];

    beforeAll(async () => {
      db = await freshDatabase(backend);
      app = await connectDatabase(parseDatabaseUrl(db.url, 'test'));
      await migrateToLatest(app.db, app.dialect);
      queue = new JobQueue(new JobRepository(app), { backoff: { baseMs: 1_000, maxMs: 3_000 }, now: () => clock });
    });
    beforeEach(async () => {
      await app.db.deleteFrom('jobs').execute();
      clock = new Date('2026-03-01T10:00:00.000Z');
    });
    afterAll(async () => {
      await app.close();
      await db.cleanup();
    });

    it('enqueues a job queued and due now, with its payload', async () => {
      const job = await queue.enqueue({ kind: 'test.a', payload: { n: 1, nested: { b: 2, a: 1 } } });
      expect(job).toMatchObject({
        status: 'queued',
        kind: 'test.a',
        payload: { n: 1, nested: { a: 1, b: 2 } },
        attempts: 0,
        max_attempts: 3,
        priority: 0,
        run_at: '2026-03-01T10:00:00.000Z',
        project_id: null,
        progress: null,
        result: null,
      });
    });

    it('claims a job with a lease, then completes it with its result', async () => {
      const job = await queue.enqueue({ kind: 'test.a' });
      const [claimed] = await queue.claim('w1', KINDS, 5, 30_000);
      expect(claimed).toMatchObject({
        id: job.id,
        status: 'running',
        attempts: 1,
        lease_owner: 'w1',
        lease_expires_at: '2026-03-01T10:00:30.000Z',
        started_at: '2026-03-01T10:00:00.000Z',
      });
      expect(await queue.claim('w2', KINDS, 5, 30_000)).toEqual([]);
      advance(2_000);
      const done = await queue.finish(claimed!, 'w1', { kind: 'succeeded', result: { rows: 3 } });
      expect(done).toMatchObject({
        status: 'succeeded',
        result: { rows: 3 },
        lease_owner: null,
        lease_expires_at: null,
        finished_at: '2026-03-01T10:00:02.000Z',
      });
      expect(await queue.claim('w1', KINDS, 5, 30_000)).toEqual([]);
    });

    it('claims only the kinds the worker has handlers for', async () => {
      await queue.enqueue({ kind: 'other.kind' });
      const b = await queue.enqueue({ kind: 'test.b' });
      expect((await queue.claim('w1', KINDS, 5, 1_000)).map((j) => j.id)).toEqual([b.id]);
    });

    it('hands out higher priority first, then earlier run_at, and nothing before its run_at', async () => {
      const late = await queue.enqueue({ kind: 'test.a', runAt: new Date('2026-03-01T09:00:00.000Z') });
      const early = await queue.enqueue({ kind: 'test.a', runAt: new Date('2026-03-01T08:00:00.000Z') });
      const urgent = await queue.enqueue({ kind: 'test.a', priority: 5, runAt: new Date('2026-03-01T09:30:00.000Z') });
      const future = await queue.enqueue({ kind: 'test.a', priority: 9, runAt: new Date('2026-03-01T10:05:00.000Z') });
      const hour = 60 * 60_000;
      const first = await queue.claim('w1', KINDS, 2, hour);
      expect(first.map((j) => j.id)).toEqual([urgent.id, early.id]);
      expect((await queue.claim('w1', KINDS, 5, hour)).map((j) => j.id)).toEqual([late.id]);
      advance(5 * 60_000);
      expect((await queue.claim('w1', KINDS, 5, hour)).map((j) => j.id)).toEqual([future.id]);
    });

    it('retries a failed attempt after an exponential backoff, then stays failed with last_error', async () => {
      const job = await queue.enqueue({ kind: 'test.a', maxAttempts: 3 });
      const failOnce = async (expectedWait: number | null, message: string) => {
        const [claimed] = await queue.claim('w1', KINDS, 1, 30_000);
        expect(claimed?.id).toBe(job.id);
        const after = await queue.finish(claimed!, 'w1', { kind: 'failed', error: message });
        if (expectedWait === null) return after;
        expect(after).toMatchObject({ status: 'queued', last_error: message, lease_owner: null });
        expect(Date.parse(after!.run_at) - clock.getTime()).toBe(expectedWait);
        advance(expectedWait - 1);
        expect(await queue.claim('w1', KINDS, 1, 30_000)).toEqual([]);
        advance(1);
        return after;
      };
      await failOnce(1_000, 'first');
      await failOnce(2_000, 'second');
      const last = await failOnce(null, 'third');
      expect(last).toMatchObject({ status: 'failed', attempts: 3, last_error: 'third', lease_owner: null });
      expect(last!.finished_at).toBe(clock.toISOString());
      advance(60 * 60_000);
      expect(await queue.claim('w1', KINDS, 1, 30_000)).toEqual([]);
    });

    it('completes several held jobs in one statement, each with its result, and leaves others’ jobs alone', async () => {
      const mine = [];
      for (let i = 0; i < 3; i++) mine.push(await queue.enqueue({ kind: 'test.a', payload: { i } }));
      const held = await queue.claim('w1', KINDS, 3, 30_000);
      const theirs = await queue.enqueue({ kind: 'test.b' });
      await queue.claim('w2', KINDS, 1, 30_000);
      advance(500);
      const done = await queue.completeMany('w1', [
        ...held.map((j) => ({ id: j.id, result: { i: j.payload.i, nested: { b: 1, a: [1, 'x'] } } })),
        { id: theirs.id, result: 'stolen' },
      ]);
      expect(done.sort()).toEqual(mine.map((j) => j.id).sort());
      for (const job of mine)
        expect(await queue.get(job.id)).toMatchObject({
          status: 'succeeded',
          result: { i: job.payload.i, nested: { a: [1, 'x'], b: 1 } },
          finished_at: '2026-03-01T10:00:00.500Z',
          lease_owner: null,
        });
      expect(await queue.get(theirs.id)).toMatchObject({ status: 'running', lease_owner: 'w2', result: null });
    });

    it('gives a job whose lease expired to another worker, and refuses the first worker’s late result', async () => {
      const job = await queue.enqueue({ kind: 'test.a' });
      const [first] = await queue.claim('dead', KINDS, 1, 1_000);
      advance(1_000);
      expect(await queue.claim('alive', KINDS, 1, 1_000)).toEqual([]);
      advance(1);
      const [again] = await queue.claim('alive', KINDS, 1, 30_000);
      expect(again).toMatchObject({ id: job.id, attempts: 2, lease_owner: 'alive' });
      expect(await queue.finish(first!, 'dead', { kind: 'succeeded', result: 'late' })).toBeUndefined();
      expect(await queue.finish(again!, 'alive', { kind: 'succeeded', result: 'ok' })).toMatchObject({
        status: 'succeeded',
        result: 'ok',
      });
    });

    it('renews a lease so the job is not taken, and tells a worker which leases it lost', async () => {
      const job = await queue.enqueue({ kind: 'test.a' });
      await queue.claim('w1', KINDS, 1, 1_000);
      advance(900);
      expect(await queue.renew('w1', [job.id], 1_000)).toEqual([{ id: job.id, cancelRequested: false }]);
      advance(900);
      expect(await queue.claim('w2', KINDS, 1, 1_000)).toEqual([]);
      expect(await queue.renew('w2', [job.id], 1_000)).toEqual([]);
    });

    it('fails a job abandoned with no attempts left, naming the expired lease', async () => {
      const job = await queue.enqueue({ kind: 'test.a', maxAttempts: 1 });
      await queue.claim('dead', KINDS, 1, 1_000);
      advance(1_001);
      expect(await queue.claim('alive', KINDS, 1, 1_000)).toEqual([]);
      expect(await queue.endAbandoned()).toBe(1);
      expect(await queue.get(job.id)).toMatchObject({
        status: 'failed',
        last_error: expect.stringMatching(/lease expired/),
        lease_owner: null,
      });
    });

    it('cancels a queued job at once: no worker claims it', async () => {
      const job = await queue.enqueue({ kind: 'test.a' });
      expect(await queue.cancel(job.id)).toMatchObject({ status: 'cancelled', finished_at: clock.toISOString() });
      expect(await queue.claim('w1', KINDS, 1, 1_000)).toEqual([]);
    });

    it('marks a running job for cancellation, which its worker learns at renewal', async () => {
      const job = await queue.enqueue({ kind: 'test.a' });
      await queue.claim('w1', KINDS, 1, 30_000);
      expect(await queue.cancel(job.id)).toMatchObject({ status: 'running', cancel_requested_at: clock.toISOString() });
      expect(await queue.renew('w1', [job.id], 30_000)).toEqual([{ id: job.id, cancelRequested: true }]);
    });

    it('ends a cancel-requested job whose worker died as cancelled, not retried', async () => {
      const job = await queue.enqueue({ kind: 'test.a' });
      await queue.claim('dead', KINDS, 1, 1_000);
      await queue.cancel(job.id);
      advance(1_001);
      expect(await queue.claim('alive', KINDS, 1, 1_000)).toEqual([]);
      await queue.endAbandoned();
      expect(await queue.get(job.id)).toMatchObject({ status: 'cancelled' });
    });

    it('refuses to cancel a finished job with a 409 that says so', async () => {
      const job = await queue.enqueue({ kind: 'test.a' });
      const [claimed] = await queue.claim('w1', KINDS, 1, 1_000);
      await queue.finish(claimed!, 'w1', { kind: 'succeeded', result: null });
      await expect(queue.cancel(job.id)).rejects.toMatchObject({
        code: 'job_finished',
        status: 409,
        message: `job ${job.id} has already succeeded: there is nothing to cancel`,
      });
    });

    it('takes a released job back without counting the attempt', async () => {
      const job = await queue.enqueue({ kind: 'test.a' });
      const [claimed] = await queue.claim('w1', KINDS, 1, 30_000);
      expect(await queue.release(claimed!, 'w1')).toBe(true);
      expect(await queue.get(job.id)).toMatchObject({ status: 'queued', attempts: 0, lease_owner: null });
      expect((await queue.claim('w2', KINDS, 1, 30_000)).map((j) => j.id)).toEqual([job.id]);
    });

    it('records progress only for the worker holding the lease', async () => {
      const job = await queue.enqueue({ kind: 'test.a' });
      const [claimed] = await queue.claim('w1', KINDS, 1, 30_000);
      expect(await queue.progress(claimed!, 'w1', { phase: 'tables', done: 2, total: 5 })).toBe(true);
      expect(await queue.progress(claimed!, 'intruder', { phase: 'x', done: 0 })).toBe(false);
      expect((await queue.get(job.id)).progress).toEqual({ done: 2, phase: 'tables', total: 5 });
    });

    it('gives two concurrent claims different jobs', async () => {
      for (let i = 0; i < 20; i++) await queue.enqueue({ kind: 'test.a' });
      const [a, b] = await Promise.all([queue.claim('w1', KINDS, 10, 30_000), queue.claim('w2', KINDS, 10, 30_000)]);
      const ids = [...a, ...b].map((j) => j.id);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    });
  });
}
