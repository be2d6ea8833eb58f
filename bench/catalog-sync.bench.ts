/**
 * Catalog sync benchmark: `CatalogService.sync` of a PostgreSQL database and a DuckDB file of
 * 1,000 tables × 20 columns, into each application backend (SQLite file, PostgreSQL): the first
 * sync (into an empty catalog) and a re-sync (nothing changed). The peer, measured in the same
 * rounds, is the bare catalog query through the engine's own driver alone (`pg`, or
 * @duckdb/node-api), so the ratio is what storing the catalog costs over reading it.
 * Rounds interleave every case, rotating their order; min and median are printed.
 *
 *   npm run bench:catalog [-- --tables 1000 --columns 20 --rounds 5 --json]
 *
 * PostgreSQL: OXY_BENCH_POSTGRES_URL (an admin URL; databases are created and dropped), default
 * postgresql://postgres@127.0.0.1:5432/postgres.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import type { AppDatabase } from '../src/db/connect.js';
import { openMigratedDatabase } from '../src/db/open-app-database.js';
import { createAppServices, type AppServices } from '../src/services/app-services.js';
import { CATALOG_QUERIES } from '../src/services/connectors/catalog-queries.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const TABLES = option('--tables', 1000);
const COLUMNS = option('--columns', 20);
const ROUNDS = option('--rounds', 5);
const adminUrl = process.env.OXY_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const tag = `oxy_bench_catalog_${process.pid}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-catalog-'));

/** `create table t0001 (c01 integer not null, c02 text, …)` for every table. */
function tableDdl(): string[] {
  return Array.from({ length: TABLES }, (_, t) => {
    const columns = Array.from({ length: COLUMNS }, (_, c) =>
      c === 0
        ? 'c01 integer not null'
        : `c${String(c + 1).padStart(2, '0')} ${c % 3 === 0 ? 'bigint' : c % 3 === 1 ? 'text' : 'double precision'}`,
    );
    return `create table t${String(t + 1).padStart(4, '0')} (${columns.join(', ')})`;
  });
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

interface AppUnderTest {
  backend: 'sqlite' | 'postgres';
  app: AppDatabase;
  services: AppServices;
  databases: Record<'postgres' | 'duckdb', string>;
}

async function openApp(backend: 'sqlite' | 'postgres', sourceUrl: URL, duckFile: string): Promise<AppUnderTest> {
  const stateDir = fs.mkdtempSync(path.join(work, `state-${backend}-`));
  let url = `sqlite://${path.join(stateDir, 'oxy.sqlite')}`;
  if (backend === 'postgres') {
    await adminQuery(adminUrl, `create database ${tag}_app`);
    url = databaseUrl(`${tag}_app`);
  }
  const config = loadConfig({ OXY_STATE_DIR: stateDir, OXY_DATABASE_URL: url });
  const { database: app } = await openMigratedDatabase(config);
  const services = await createAppServices(config, app);
  const owner = await services.auth.createUser({
    email: 'bench@example.com',
    role: 'owner',
    password: 'bench bench bench',
  });
  const ws = await services.workspaces.create({ name: 'Bench', slug: 'bench' }, String(owner.id));
  const project = await services.entities.create('projects', { workspace_id: ws.id, name: 'bench' });
  const add = async (kind: 'postgres' | 'duckdb', config: object) =>
    String((await services.entities.create('databases', { project_id: project.id, name: kind, kind, config })).id);
  const databases = {
    postgres: await add('postgres', {
      host: sourceUrl.hostname,
      port: Number(sourceUrl.port || 5432),
      user: decodeURIComponent(sourceUrl.username || 'postgres'),
      database: sourceUrl.pathname.slice(1),
    }),
    duckdb: await add('duckdb', { path: duckFile }),
  };
  return { backend, app, services, databases };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const min = (xs: number[]) => Math.min(...xs);
const time = async (fn: () => Promise<unknown>) => {
  const started = performance.now();
  await fn();
  return performance.now() - started;
};

async function main(): Promise<void> {
  const ddl = tableDdl();
  console.error(`creating ${TABLES} tables × ${COLUMNS} columns in PostgreSQL and DuckDB…`);
  await adminQuery(adminUrl, `create database ${tag}_src`);
  const sourceUrl = new URL(databaseUrl(`${tag}_src`));
  await adminQuery(sourceUrl.toString(), `${ddl.join(';\n')};`);
  const duckFile = path.join(work, 'source.duckdb');
  {
    const instance = await DuckDBInstance.create(duckFile);
    const c = await instance.connect();
    await c.run(`${ddl.join(';\n')};`);
    c.closeSync();
    instance.closeSync();
  }
  const apps = [await openApp('sqlite', sourceUrl, duckFile), await openApp('postgres', sourceUrl, duckFile)];
  const pgPeer = new pg.Client({ connectionString: sourceUrl.toString() });
  await pgPeer.connect();
  const duckPeerInstance = await DuckDBInstance.create(duckFile, { access_mode: 'READ_ONLY' });
  const duckPeer = await duckPeerInstance.connect();

  type Case = { name: string; peer?: string; run: () => Promise<number> };
  const PEERS = { postgres: 'bare read postgres (pg)', duckdb: 'bare read duckdb (@duckdb/node-api)' } as const;
  const cases: Case[] = [
    { name: 'bare read postgres (pg)', run: () => time(() => pgPeer.query(CATALOG_QUERIES.postgres)) },
    {
      name: 'bare read duckdb (@duckdb/node-api)',
      run: () => time(() => duckPeer.runAndReadAll(CATALOG_QUERIES.duckdb)),
    },
  ];
  for (const a of apps) {
    for (const source of ['postgres', 'duckdb'] as const) {
      const id = a.databases[source];
      cases.push({
        name: `first sync ${source} → app ${a.backend}`,
        peer: PEERS[source],
        run: async () => {
          await a.app.db.deleteFrom('datasets').where('database_id', '=', id).execute();
          return time(() => a.services.catalog.sync(id));
        },
      });
      cases.push({
        name: `re-sync ${source} → app ${a.backend}`,
        peer: PEERS[source],
        run: () => time(() => a.services.catalog.sync(id)),
      });
    }
  }
  // Warm-up: open pools, fill the catalog once.
  for (const c of cases) await c.run();
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order, keeping each first sync right before its re-sync (which needs the catalog it wrote).
    const pairs: Case[][] = [];
    for (let i = 0; i < cases.length; i += 2) pairs.push(cases.slice(i, i + 2));
    const rotated = [...pairs.slice(round % pairs.length), ...pairs.slice(0, round % pairs.length)].flat();
    for (const c of rotated) times.get(c.name)!.push(await c.run());
    console.error(`round ${round + 1}/${ROUNDS} done`);
  }
  const rows = cases.map((c) => {
    const t = times.get(c.name)!;
    const peer = times.get(c.peer ?? c.name)!;
    return {
      case: c.name,
      minMs: Math.round(min(t)),
      medianMs: Math.round(median(t)),
      ratio: median(t) / median(peer),
    };
  });
  if (args.includes('--json')) console.log(JSON.stringify({ tables: TABLES, columns: COLUMNS, rounds: ROUNDS, rows }));
  else {
    console.log(
      `catalog sync, ${TABLES} tables × ${COLUMNS} columns, ${ROUNDS} interleaved rounds (Node ${process.version})`,
    );
    console.log('case | min ms | median ms | × bare read (median)');
    for (const r of rows) console.log(`${r.case} | ${r.minMs} | ${r.medianMs} | ${r.ratio.toFixed(1)}`);
  }

  await pgPeer.end();
  duckPeer.closeSync();
  duckPeerInstance.closeSync();
  for (const a of apps) {
    await a.services.connectors.closeAll();
    await a.app.close();
  }
  await adminQuery(adminUrl, `drop database if exists ${tag}_app with (force)`);
  await adminQuery(adminUrl, `drop database if exists ${tag}_src with (force)`);
  fs.rmSync(work, { recursive: true, force: true });
}

await main();
