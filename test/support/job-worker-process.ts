/**
 * A job worker process for tests: the real JobWorker on the real queue, with test job kinds
 * (registered here, never in oxy itself). Run with `node --import tsx`; configured by env:
 * OXY_DATABASE_URL, JOB_LOG (a file each execution appends its job id to), CONCURRENCY,
 * LEASE_MS. Prints `ready <worker id>` once polling; stops gracefully on SIGTERM.
 */
import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { connectDatabase } from '../../src/db/connect.js';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { JobRepository } from '../../src/repositories/job.repository.js';
import { JobHandlerRegistry } from '../../src/services/jobs/job-handlers.js';
import { JobQueue } from '../../src/services/jobs/job-queue.js';
import { JobWorker } from '../../src/services/jobs/worker.js';

const env = process.env;
const database = await connectDatabase(parseDatabaseUrl(env.OXY_DATABASE_URL!, 'OXY_DATABASE_URL'));
const queue = new JobQueue(new JobRepository(database), { backoff: { baseMs: 10, maxMs: 100 } });
const handlers: JobHandlerRegistry = new JobHandlerRegistry()
  // Records that it ran (the exactly-once proof reads these lines).
  .register('test.record', async (job) => {
    fs.appendFileSync(env.JOB_LOG!, `${job.id}\n`);
    return { worker: worker.id };
  })
  // The first attempt hangs until its process dies; a later one finishes.
  .register('test.hang-once', async (job, ctx) => {
    fs.appendFileSync(env.JOB_LOG!, `${job.id} attempt ${job.attempts}\n`);
    if (job.attempts === 1) await delay(10 * 60_000, undefined, { signal: ctx.signal });
    return { worker: worker.id, attempts: job.attempts };
  });
const worker: JobWorker = new JobWorker(queue, handlers, {
  concurrency: Number(env.CONCURRENCY ?? 1),
  leaseMs: Number(env.LEASE_MS ?? 30_000),
  log: (line) => process.stderr.write(`${line}\n`),
});
worker.start();
process.stdout.write(`ready ${worker.id}\n`);
process.once('SIGTERM', () => {
  void worker
    .stop({ graceMs: 5_000 })
    .then(() => database.close())
    .then(() => process.exit(0));
});
