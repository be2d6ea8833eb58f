/**
 * Job queue benchmark: jobs/s claimed and completed with a no-op handler, by oxy's JobWorker with
 * 1 and 3 workers on PostgreSQL and 1 on a SQLite file, beside pg-boss on the same PostgreSQL in
 * the same run, rounds interleaved. Each round enqueues N jobs (not timed), then times the workers
 * from start until every job is recorded complete.
 *
 *   npm run bench:jobs [-- --jobs 2000 --rounds 5 --batch 10 --quick]
 *
 * Both sides take up to `--batch` jobs per claim and per worker (oxy: concurrency; pg-boss: its
 * batchSize). pg-boss's own `work()` waits at least 0.5 s between fetches (its polling floor), so
 * the peer is a loop of `fetch` + `complete` per worker: it measures pg-boss's claim and complete
 * SQL, not its polling delay. Both complete a batch in one statement (oxy: the successes that
 * finish in the same event-loop turn, each with its own result).
 *
 * PostgreSQL: OXY_BENCH_POSTGRES_URL (an admin URL; a database is created and dropped), default
 * postgresql://postgres@127.0.0.1:5432/postgres.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { connectDatabase, type AppDatabase } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { parseDatabaseUrl } from '../src/db/url.js';
import { JobRepository } from '../src/repositories/job.repository.js';
import { JobHandlerRegistry } from '../src/services/jobs/job-handlers.js';
import { JobQueue } from '../src/services/jobs/job-queue.js';
import { JobWorker } from '../src/services/jobs/worker.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const quick = args.includes('--quick');
const JOBS = option('--jobs', quick ? 300 : 2_000);
const ROUNDS = option('--rounds', quick ? 2 : 5);
const BATCH = option('--batch', 10);
const adminUrl = process.env.OXY_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

interface Contender {
  name: string;
  /** Enqueues JOBS jobs (untimed), then resolves to the seconds the workers took to complete them. */
  round(): Promise<number>;
  close(): Promise<void>;
}

async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `oxy_bench_jobs_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

async function oxyContender(name: string, app: AppDatabase, workers: number): Promise<Contender> {
  const queue = new JobQueue(new JobRepository(app));
  return {
    name,
    async round() {
      await app.db.deleteFrom('jobs').execute();
      await app.db.transaction().execute(async (trx) => {
        const inTrx = new JobQueue(new JobRepository({ ...app, db: trx }));
        for (let i = 0; i < JOBS; i++) await inTrx.enqueue({ kind: 'bench.noop', payload: { i } });
      });
      let handled = 0;
      let allHandled!: () => void;
      const handledAll = new Promise<void>((resolve) => (allHandled = resolve));
      const registry = new JobHandlerRegistry().register('bench.noop', async () => {
        if (++handled === JOBS) allHandled();
        return null;
      });
      const started = performance.now();
      const running = Array.from({ length: workers }, () => {
        const worker = new JobWorker(queue, registry, { concurrency: BATCH });
        worker.start();
        return worker;
      });
      await handledAll;
      // stop() returns once each worker's last completion is written.
      await Promise.all(running.map((w) => w.stop({ graceMs: 60_000 })));
      const seconds = (performance.now() - started) / 1000;
      const counts = await queue.countByStatus();
      if (counts.succeeded !== JOBS) throw new Error(`${name}: ${JSON.stringify(counts)} after a round`);
      return seconds;
    },
    close: () => app.close(),
  };
}

async function pgBossContender(name: string, url: string, workers: number): Promise<Contender> {
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
  boss.on('error', (error: Error) => process.stderr.write(`pg-boss: ${error.message}\n`));
  await boss.start();
  let rounds = 0;
  return {
    name,
    async round() {
      // A new queue each round, as oxy's table is emptied each round.
      const queueName = `bench-noop-${workers}-${++rounds}`;
      await boss.createQueue(queueName);
      for (let i = 0; i < JOBS; i += 500)
        await boss.insert(
          Array.from({ length: Math.min(500, JOBS - i) }, (_, k) => ({ name: queueName, data: { i: i + k } })),
        );
      let handled = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: workers }, async () => {
          for (;;) {
            const jobs = await boss.fetch(queueName, { batchSize: BATCH });
            if (!jobs || jobs.length === 0) return;
            handled += jobs.length; // the no-op handler
            await boss.complete(
              queueName,
              jobs.map((j) => j.id),
            );
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      if (handled !== JOBS) throw new Error(`${name}: handled ${handled} of ${JOBS}`);
      return seconds;
    },
    close: () => boss.stop({ graceful: false, wait: true }),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function main(): Promise<void> {
  const postgres = await createPostgresDatabase();
  const sqliteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-jobs-'));
  const contenders: Contender[] = [];
  try {
    const open = async (url: string) => {
      const app = await connectDatabase(parseDatabaseUrl(url, 'bench'));
      await migrateToLatest(app.db, app.dialect);
      return app;
    };
    contenders.push(
      await oxyContender('oxy PostgreSQL, 1 worker', await open(postgres.url), 1),
      await pgBossContender('pg-boss PostgreSQL, 1 worker', postgres.url, 1),
      await oxyContender('oxy PostgreSQL, 3 workers', await open(postgres.url), 3),
      await pgBossContender('pg-boss PostgreSQL, 3 workers', postgres.url, 3),
      await oxyContender('oxy SQLite, 1 worker', await open(`sqlite://${path.join(sqliteDir, 'db.sqlite')}`), 1),
    );
    const rates = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    process.stderr.write(`${JOBS} no-op jobs per round, ${ROUNDS} rounds, batch ${BATCH}, ${os.cpus().length} CPUs\n`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const contender of contenders) {
        const seconds = await contender.round();
        rates.get(contender.name)!.push(JOBS / seconds);
        process.stderr.write(`round ${round}: ${contender.name}: ${(JOBS / seconds).toFixed(0)} jobs/s\n`);
      }
    }
    const peerFor = (name: string) =>
      name.includes('3 workers') ? 'pg-boss PostgreSQL, 3 workers' : 'pg-boss PostgreSQL, 1 worker';
    const rows = contenders.map((c) => {
      const xs = rates.get(c.name)!;
      const peer = median(rates.get(peerFor(c.name))!);
      return {
        contender: c.name,
        'jobs/s min': Math.round(Math.min(...xs)),
        'jobs/s median': Math.round(median(xs)),
        'vs pg-boss (median)': c.name.startsWith('pg-boss') ? '' : `${(median(xs) / peer).toFixed(2)}×`,
      };
    });
    console.table(rows);
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify(rows)}\n`);
  } finally {
    for (const c of contenders) await c.close().catch(() => undefined);
    await postgres.drop();
    fs.rmSync(sqliteDir, { recursive: true, force: true });
  }
}

await main();
