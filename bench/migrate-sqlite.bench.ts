/**
 * migrate-sqlite benchmark: on the same generated SQLite source, in the same run, times
 *   1. `oxy migrate-sqlite` (the built CLI, as a user runs it; checks, COPY, verification),
 *   2. pgloader (Debian's package) into a separate database,
 *   3. PostgreSQL's own floor: server-side `COPY … FROM 'file'` of the same rows, exported to
 *      files beforehand, into the same schema (with its indexes and foreign keys),
 * and prints rows/s, the ratios oxy/pgloader and oxy/floor, and oxy's peak RSS.
 *
 *   npm run bench:migrate -- [--scales 100000,1000000] [--keep]
 *
 * Needs a local PostgreSQL superuser (OXY_BENCH_POSTGRES_URL, default
 * postgresql://postgres@127.0.0.1:5432/postgres) that can read files in the temp folder, and
 * `pgloader` on PATH (apt-get install pgloader); without pgloader that column is skipped.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TABLE_NAMES } from '../src/db/entities.js';
import { generateSqliteSource } from './generate-sqlite-source.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const scales = (flag('--scales') ?? '100000,1000000').split(',').map(Number);
const adminUrl = process.env.OXY_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-migrate-'));
fs.chmodSync(work, 0o755);

function dbUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>, url = adminUrl): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function recreate(name: string): Promise<void> {
  await admin(async (c) => {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name}`);
  });
}

/** Runs a command, returning wall seconds and peak RSS (from GNU time when present). */
function timed(
  command: string,
  commandArgs: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ seconds: number; rssMb: number | undefined; code: number | null; output: string }> {
  const gnuTime = fs.existsSync('/usr/bin/time');
  const [cmd, cmdArgs] = gnuTime
    ? ['/usr/bin/time', ['-f', 'OXYBENCH_RSS_KB=%M', command, ...commandArgs]]
    : [command, commandArgs];
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(cmd, cmdArgs as string[], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const kb = /OXYBENCH_RSS_KB=(\d+)/.exec(output)?.[1];
      resolve({ seconds, rssMb: kb ? Number(kb) / 1024 : undefined, code, output });
    });
  });
}

interface Row {
  scale: number;
  rows: number;
  oxy: { seconds: number; rssMb?: number };
  pgloader?: { seconds: number; rssMb?: number; ok: boolean };
  floor: { seconds: number };
}

async function benchScale(scale: number): Promise<Row> {
  const file = path.join(work, `source-${scale}.sqlite`);
  process.stderr.write(`\n== scale ${scale}: generating ${file}\n`);
  const shape = await generateSqliteSource(file, scale);
  const rows = Object.values(shape).reduce((a, b) => a + b, 0);

  // 1. oxy migrate-sqlite
  await recreate('oxy_bench_oxy');
  process.stderr.write('oxy migrate-sqlite ...\n');
  const oxy = await timed(process.execPath, [
    path.join(root, 'bin/oxy.js'),
    'migrate-sqlite',
    '--from',
    `sqlite://${file}`,
    '--to',
    dbUrl('oxy_bench_oxy'),
    '--json',
  ]);
  if (oxy.code !== 0) throw new Error(`oxy migrate-sqlite failed:\n${oxy.output.slice(-2000)}`);

  // 2. pgloader (it needs a bigger Lisp heap than its default from about a million rows on).
  let pgloader: Row['pgloader'];
  if (spawnSync('pgloader', ['--version']).status === 0) {
    await recreate('oxy_bench_pgloader');
    process.stderr.write('pgloader ...\n');
    const run = await timed('pgloader', [
      '--dynamic-space-size',
      '8192',
      '--quiet',
      `sqlite://${file}`,
      dbUrl('oxy_bench_pgloader'),
    ]);
    pgloader = { seconds: run.seconds, rssMb: run.rssMb, ok: run.code === 0 };
    if (run.code !== 0) process.stderr.write(`pgloader failed (exit ${run.code}):\n${run.output.slice(-1000)}\n`);
  } else {
    process.stderr.write('pgloader not installed: skipped (apt-get install pgloader)\n');
  }

  // 3. The floor: export the rows oxy copied to files, then COPY them back server-side into the
  //    same schema (truncated, with its indexes and foreign keys), timing only the COPYs.
  const exportDir = path.join(work, `floor-${scale}`);
  fs.mkdirSync(exportDir, { recursive: true, mode: 0o777 });
  fs.chmodSync(exportDir, 0o777);
  await admin(async (c) => {
    for (const table of TABLE_NAMES) await c.query(`copy "${table}" to '${exportDir}/${table}.copy'`);
  }, dbUrl('oxy_bench_oxy'));
  await admin(async (c) => {
    await c.query('drop database if exists oxy_bench_floor with (force)');
    await c.query('create database oxy_bench_floor template oxy_bench_oxy');
  });
  const floorSeconds = await admin(async (c) => {
    await c.query(`truncate ${TABLE_NAMES.map((t) => `"${t}"`).join(', ')}`);
    const started = performance.now();
    for (const table of TABLE_NAMES) await c.query(`copy "${table}" from '${exportDir}/${table}.copy'`);
    return (performance.now() - started) / 1000;
  }, dbUrl('oxy_bench_floor'));

  if (!args.includes('--keep')) {
    fs.rmSync(file, { force: true });
    fs.rmSync(`${file}-wal`, { force: true });
    fs.rmSync(`${file}-shm`, { force: true });
    fs.rmSync(exportDir, { recursive: true, force: true });
    for (const name of ['oxy_bench_oxy', 'oxy_bench_pgloader', 'oxy_bench_floor'])
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
  }
  return { scale, rows, oxy: { seconds: oxy.seconds, rssMb: oxy.rssMb }, pgloader, floor: { seconds: floorSeconds } };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const results: Row[] = [];
for (const scale of scales) results.push(await benchScale(scale));

console.log(
  `\nmigrate-sqlite benchmark — node ${process.version}, ${os.cpus().length} CPUs, PostgreSQL at ${new URL(adminUrl).host}`,
);
console.log(
  'scale (messages)  rows      oxy rows/s  pgloader rows/s  COPY floor rows/s  oxy/pgloader  oxy/floor  oxy peak RSS  pgloader peak RSS',
);
for (const r of results) {
  const oxyRate = r.rows / r.oxy.seconds;
  const pglRate = r.pgloader?.ok ? r.rows / r.pgloader.seconds : undefined;
  const floorRate = r.rows / r.floor.seconds;
  console.log(
    [
      fmt(r.scale).padEnd(16),
      fmt(r.rows).padEnd(9),
      fmt(oxyRate).padStart(10),
      (pglRate ? fmt(pglRate) : 'n/a').padStart(16),
      fmt(floorRate).padStart(18),
      (pglRate ? (oxyRate / pglRate).toFixed(2) : 'n/a').padStart(13),
      (oxyRate / floorRate).toFixed(2).padStart(10),
      (r.oxy.rssMb ? `${r.oxy.rssMb.toFixed(0)} MB` : 'n/a').padStart(13),
      (r.pgloader?.rssMb ? `${r.pgloader.rssMb.toFixed(0)} MB` : 'n/a').padStart(18),
    ].join(' '),
  );
}
console.log(
  '(oxy includes source checks, COPY, per-entity count + checksum verification and FK re-validation; pgloader verifies nothing; the floor is server-side COPY from files.)',
);
fs.rmSync(work, { recursive: true, force: true });
