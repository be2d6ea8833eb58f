/**
 * API benchmark: requests/s of the real oxy app (built as `oxy serve` builds it, logging off) for
 * GET /api/health, a list (GET /api/threads?limit=50) and a create (POST /api/messages), on a
 * SQLite file and on PostgreSQL, beside a bare Fastify hello-world measured in the same run with
 * the same settings. Everything on 127.0.0.1, every run bounded in time.
 *
 *   npm run bench:api [-- --duration 5 --connections 10 --quick --json]
 *
 * PostgreSQL: OXY_BENCH_POSTGRES_URL (an admin URL; a database is created and dropped), default
 * postgresql://postgres@127.0.0.1:5432/postgres; skipped with a note when none answers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { openMigratedDatabase } from '../src/db/open-app-database.js';
import { buildApp } from '../src/server/app.js';
import { createAppServices } from '../src/services/app-services.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const quick = args.includes('--quick');
const duration = option('--duration', quick ? 1 : 5);
const connections = option('--connections', 10);
const adminUrl = process.env.OXY_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

interface Result {
  scenario: string;
  backend: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function measure(
  url: string,
  options: Partial<autocannon.Options> = {},
): Promise<Omit<Result, 'scenario' | 'backend'>> {
  const result = await autocannon({ url, connections, duration, ...options });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

async function postgresDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `oxy_bench_api_${process.pid}`;
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

async function benchBackend(backend: string, databaseUrl: string): Promise<Result[]> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-api-'));
  const config = loadConfig({ OXY_STATE_DIR: stateDir, OXY_DATABASE_URL: databaseUrl });
  const { database } = await openMigratedDatabase(config);
  const services = await createAppServices(config, database);
  const app = await buildApp(services, { logger: false });
  const base = await listen(app);
  try {
    const ws = await services.entities.create(
      'workspaces',
      { name: 'Bench', slug: 'bench' },
      String((await services.auth.ensureLocalOwner()).id),
    );
    const project = await services.entities.create('projects', { workspace_id: ws.id, name: 'bench' });
    let thread: Record<string, unknown> | undefined;
    for (let i = 0; i < 200; i++)
      thread = await services.entities.create('threads', { project_id: project.id, title: `Question ${i}` });
    const results: Result[] = [];
    const run = async (scenario: string, url: string, options: Partial<autocannon.Options> = {}) => {
      process.stderr.write(`${backend}: ${scenario} ...\n`);
      results.push({ scenario, backend, ...(await measure(`${base}${url}`, options)) });
    };
    await run('GET /api/health', '/api/health');
    await run('GET /api/threads?limit=50', '/api/threads?limit=50');
    await run('POST /api/messages', '/api/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        thread_id: thread!.id,
        role: 'user',
        content: 'What was revenue by region last quarter?',
        metadata: { source: 'bench' },
      }),
    });
    return results;
  } finally {
    await app.close();
    await database.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

const hello = Fastify({ logger: false });
hello.get('/', async () => ({ hello: 'world' }));
const helloBase = await listen(hello);
process.stderr.write('peer: bare Fastify hello-world ...\n');
const peer = { scenario: 'GET / (bare Fastify hello-world)', backend: '-', ...(await measure(helloBase)) };
await hello.close();

const results: Result[] = [peer];
results.push(
  ...(await benchBackend(
    'sqlite',
    `sqlite://${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-db-')), 'db.sqlite')}`,
  )),
);
const pgDb = await postgresDatabase();
if (pgDb) {
  try {
    results.push(...(await benchBackend('postgres', pgDb.url)));
  } finally {
    await pgDb.drop();
  }
} else {
  process.stderr.write(`no PostgreSQL answers at ${new URL(adminUrl).host}: postgres skipped\n`);
}

if (args.includes('--json')) {
  console.log(
    JSON.stringify({ node: process.version, cpus: os.cpus().length, duration, connections, results }, null, 2),
  );
} else {
  console.log(
    `\noxy API benchmark — node ${process.version}, ${os.cpus().length} CPUs, autocannon ${connections} connections × ${duration} s per scenario, loopback`,
  );
  console.log('scenario                              backend    req/s     p50 ms  p99 ms  vs hello-world');
  for (const r of results) {
    console.log(
      `${r.scenario.padEnd(38)}${r.backend.padEnd(9)}${Math.round(r.rps).toString().padStart(8)}  ${String(r.p50).padStart(6)}  ${String(r.p99).padStart(6)}  ${(r.rps / peer.rps).toFixed(2).padStart(8)}`,
    );
  }
}
const failed = results.filter((r) => r.non2xx > 0);
if (failed.length > 0) {
  for (const r of failed)
    console.error(`warning: ${r.scenario} on ${r.backend} had ${r.non2xx} non-2xx responses or errors`);
  process.exitCode = 1;
}
