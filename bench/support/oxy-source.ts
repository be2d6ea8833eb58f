import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { openMigratedDatabase } from '../../src/db/open-app-database.js';
import { createAppServices } from '../../src/services/app-services.js';

export const adminUrl = process.env.OXY_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * A running `oxy serve` (the built CLI, a child process of its own so its memory can be watched)
 * on a fresh SQLite application database, with a project whose database `source` is a fresh
 * PostgreSQL database on the bench server, and a saved query `export` of `querySql`.
 */
export interface OxyServer {
  base: string;
  pid: number;
  projectId: string;
  queryId: string;
  sourceUrl: string;
  stop(): Promise<void>;
}

export async function startOxyServer(querySql: string): Promise<OxyServer> {
  const sourceName = `oxy_bench_source_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  await admin.connect();
  await admin.query(`drop database if exists ${sourceName} with (force)`);
  await admin.query(`create database ${sourceName}`);
  await admin.end();
  const source = new URL(adminUrl);
  source.pathname = `/${sourceName}`;

  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-sql-'));
  const env = { OXY_STATE_DIR: stateDir, OXY_DATABASE_URL: `sqlite://${path.join(stateDir, 'app.sqlite')}` };
  const config = loadConfig(env);
  const { database } = await openMigratedDatabase(config);
  const services = await createAppServices(config, database);
  const owner = String((await services.auth.ensureLocalOwner()).id);
  const ws = await services.entities.create('workspaces', { name: 'Bench', slug: 'bench' }, owner);
  const project = await services.entities.create('projects', { workspace_id: ws.id, name: 'bench' });
  const db = await services.entities.create('databases', {
    project_id: project.id,
    name: 'source',
    kind: 'postgres',
    config: {
      host: source.hostname,
      port: Number(source.port || 5432),
      user: decodeURIComponent(source.username || 'postgres'),
      database: sourceName,
      ...(source.password ? { password_var: 'OXY_BENCH_SOURCE_PASSWORD' } : {}),
    },
  });
  const query = await services.entities.create('queries', {
    project_id: project.id,
    database_id: db.id,
    name: 'export',
    sql: querySql,
  });
  await services.connectors.closeAll();
  await database.close();

  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [path.resolve('bin/oxy.js'), 'serve', '--host', '127.0.0.1', '--port', String(port)],
    {
      env: {
        ...process.env,
        ...env,
        OXY_LOG_LEVEL: 'warn',
        OXY_BENCH_SOURCE_PASSWORD: decodeURIComponent(source.password),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/api/live`);
  return {
    base,
    pid: child.pid!,
    projectId: String(project.id),
    queryId: String(query.id),
    sourceUrl: source.toString(),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      fs.rmSync(stateDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${sourceName} with (force)`);
      await c.end();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`oxy did not answer at ${url}`);
}
