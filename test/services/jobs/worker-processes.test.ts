import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type AppDatabase } from '../../../src/db/connect.js';
import { migrateToLatest } from '../../../src/db/migrator.js';
import { parseDatabaseUrl } from '../../../src/db/url.js';
import { JobRepository } from '../../../src/repositories/job.repository.js';
import { JobQueue } from '../../../src/services/jobs/job-queue.js';
import { BACKENDS, freshDatabase, tempDir, type TestDatabase } from '../../support/backends.js';
import { ROOT, runOxy } from '../../support/run-cli.js';
import { waitFor } from '../../support/wait-for.js';

const WORKER_SCRIPT = path.join(ROOT, 'test', 'support', 'job-worker-process.ts');

interface WorkerProcess {
  child: ChildProcess;
  id: string;
  exited: Promise<number | null>;
}

/** Starts test/support/job-worker-process.ts and resolves once it polls. */
function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const ready = /^ready (\S+)$/m.exec(out);
      if (ready) resolve({ child, id: ready[1]!, exited });
    });
    void exited.then((code) => reject(new Error(`worker exited (${code}) before ready: ${stderr}`)));
  });
}

/** Workers in separate processes sharing one application database. */
for (const backend of BACKENDS) {
  describe(`job worker processes (${backend})`, () => {
    let db: TestDatabase;
    let app: AppDatabase;
    let queue: JobQueue;
    let logDir: string;
    const processes: WorkerProcess[] = [];
    const start = async (env: Record<string, string>) => {
      const worker = await startWorkerProcess({ OXY_DATABASE_URL: db.url, ...env });
      processes.push(worker);
      return worker;
    };

    beforeAll(async () => {
      db = await freshDatabase(backend);
      app = await connectDatabase(parseDatabaseUrl(db.url, 'test'));
      await migrateToLatest(app.db, app.dialect);
      queue = new JobQueue(new JobRepository(app));
      logDir = tempDir('oxy-test-jobs-');
    });
    afterEach(async () => {
      for (const { child, exited } of processes.splice(0)) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      }
    });
    afterAll(async () => {
      await app.close();
      await db.cleanup();
      fs.rmSync(logDir, { recursive: true, force: true });
    });

    if (backend === 'postgres') {
      it('three worker processes drain 1,000 jobs, each run exactly once', { timeout: 120_000 }, async () => {
        const log = path.join(logDir, 'drain.log');
        const ids = new Set<string>();
        await app.db.transaction().execute(async (trx) => {
          const inTrx = new JobQueue(new JobRepository({ ...app, db: trx }));
          for (let i = 0; i < 1_000; i++) ids.add((await inTrx.enqueue({ kind: 'test.record', payload: { i } })).id);
        });
        const workers = await Promise.all(
          [1, 2, 3].map(() => start({ JOB_LOG: log, CONCURRENCY: '4', LEASE_MS: '30000' })),
        );
        await waitFor(async () => (await queue.countByStatus()).succeeded === 1_000, 90_000);
        const runs = fs.readFileSync(log, 'utf8').trim().split('\n');
        expect(runs).toHaveLength(1_000);
        expect(new Set(runs)).toEqual(ids);
        const byWorker = await app.db
          .selectFrom('jobs')
          .select(['result', (eb) => eb.fn.countAll().as('n')])
          .groupBy('result')
          .execute();
        // Every process took a share (the claims really were concurrent).
        expect(byWorker).toHaveLength(workers.length);
      });
    }

    it(
      'finishes the job of a SIGKILLed worker in another worker once the lease expires',
      { timeout: 60_000 },
      async () => {
        const log = path.join(logDir, `killed-${backend}.log`);
        const job = await queue.enqueue({ kind: 'test.hang-once' });
        const doomed = await start({ JOB_LOG: log, LEASE_MS: '1500' });
        // Killed mid-job: once its handler has started (it writes the line first thing).
        await waitFor(async () => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('attempt 1'));
        expect((await queue.get(job.id)).lease_owner).toBe(doomed.id);
        doomed.child.kill('SIGKILL');
        await doomed.exited;
        const heir = await start({ JOB_LOG: log, LEASE_MS: '1500' });
        const done = await waitFor(async () => {
          const row = await queue.get(job.id);
          return row.status === 'succeeded' && row;
        }, 30_000);
        expect(done).toMatchObject({ attempts: 2, result: { worker: heir.id, attempts: 2 } });
        expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toEqual([`${job.id} attempt 1`, `${job.id} attempt 2`]);
      },
    );

    it('`oxy worker` runs until SIGTERM, then stops cleanly with exit 0', { timeout: 60_000 }, async () => {
      const state = tempDir();
      const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'oxy.js'), 'worker', '--concurrency', '2'], {
        env: { ...process.env, OXY_DATABASE_URL: db.url, OXY_STATE_DIR: state, OXY_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await waitFor(async () => /job worker .*: up to 2 at once/.test(stderr), 30_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/SIGTERM received: finishing running jobs/);
      fs.rmSync(state, { recursive: true, force: true });
    });

    for (const bad of ['many', '0']) {
      it(`\`oxy worker\` refuses --concurrency ${bad} with exit 2`, async () => {
        const result = await runOxy(['worker', '--concurrency', bad], { OXY_DATABASE_URL: db.url });
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(new RegExp(`'${bad}' is not a count \\(1-1000\\)`));
      });
    }
  });
}
