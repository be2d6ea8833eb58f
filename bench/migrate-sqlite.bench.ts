/**
 * migrate-sqlite benchmark. For each scale, on one generated SQLite source, in interleaved
 * rounds (each round runs every tool once, in a rotating order, each into a fresh database):
 *   1. `oxy migrate-sqlite` (the built CLI, as a user runs it: checks, COPY, verification of
 *      every batch and entity, foreign-key re-validation);
 *   2. pgloader, tuned (batch rows 5000, prefetch rows 10000, workers 2, concurrency 1, an
 *      8 GiB Lisp heap; it creates all-text columns from SQLite's and verifies nothing);
 *   3. the floor: PostgreSQL's server-side `COPY … FROM` CSV files of the same rows into bare
 *      tables (no key, constraint or index), then the primary keys, unique constraints, checks,
 *      foreign keys and indexes of oxy's schema, timed together.
 * Before each run the target is created afresh and the machine settled (CHECKPOINT, sync).
 * Prints, per tool, the minimum and median wall time, rows/s of the median, peak memory (PSS of
 * the process tree, sampled every 100 ms), and the
 * ratios oxy/pgloader and oxy/floor (of medians and of minima).
 *
 *   npm run bench:migrate -- [--scales 100000,1000000] [--rounds 3] [--keep] [--json out.json]
 *
 * Needs a local PostgreSQL superuser (OXY_BENCH_POSTGRES_URL, default
 * postgresql://postgres@127.0.0.1:5432/postgres) that can read and write files in the temp folder,
 * and `pgloader` on PATH (apt-get install pgloader); without pgloader that column is skipped.
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
const rounds = Number(flag('--rounds') ?? 3);
const adminUrl = process.env.OXY_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-migrate-'));
fs.chmodSync(work, 0o777);
const hasPgloader = spawnSync('pgloader', ['--version']).status === 0;

type Tool = 'oxy' | 'pgloader' | 'floor';
interface Run {
  seconds: number;
  /** Peak PSS of the process tree, MB. */
  peakMb?: number;
}

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

/**
 * A fresh, empty database, then a settled machine: PostgreSQL's dirty buffers checkpointed and
 * the kernel's dirty pages written, so that no run pays for the previous run's writes.
 */
async function recreate(name: string, template?: string): Promise<void> {
  await admin(async (c) => {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name}${template ? ` template ${template}` : ''}`);
    await c.query('checkpoint');
  });
  spawnSync('sync');
}

/** The process and its descendants (Linux: /proc/<pid>/task/<tid>/children). */
function processTree(root: number): number[] {
  const found = [root];
  for (let i = 0; i < found.length; i++) {
    const tasks = path.join('/proc', String(found[i]), 'task');
    let tids: string[];
    try {
      tids = fs.readdirSync(tasks);
    } catch {
      continue; // gone
    }
    for (const tid of tids) {
      try {
        const children = fs.readFileSync(path.join(tasks, tid, 'children'), 'utf8').trim();
        if (children) found.push(...children.split(' ').map(Number));
      } catch {
        // the thread ended
      }
    }
  }
  return found;
}

/** The processes' proportional set size in kB: each shared page counted once, split between its users. */
function pssKb(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += Number(/^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return total;
}

/**
 * Runs a command, returning wall seconds and its peak memory: the PSS of the whole process tree
 * (oxy's migrate-sqlite is two processes, relaunch.ts), sampled every 100 ms where /proc allows.
 */
function timed(command: string, commandArgs: string[]): Promise<Run & { code: number | null; output: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let peakKb = 0;
    const sample = () => (peakKb = Math.max(peakKb, pssKb(processTree(child.pid!))));
    const sampler = fs.existsSync('/proc/self/smaps_rollup') ? setInterval(sample, 100) : undefined;
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      resolve({ seconds, peakMb: sampler ? peakKb / 1024 : undefined, code, output });
    });
  });
}

async function runOxy(file: string): Promise<Run> {
  await recreate('oxy_bench_oxy');
  const run = await timed(process.execPath, [
    path.join(root, 'bin/oxy.js'),
    'migrate-sqlite',
    '--from',
    `sqlite://${file}`,
    '--to',
    dbUrl('oxy_bench_oxy'),
    '--json',
  ]);
  if (run.code !== 0) throw new Error(`oxy migrate-sqlite failed:\n${run.output.slice(-2000)}`);
  return run;
}

async function runPgloader(file: string): Promise<Run> {
  await recreate('oxy_bench_pgloader');
  const load = path.join(work, 'bench.load');
  fs.writeFileSync(
    load,
    `LOAD DATABASE FROM sqlite://${file} INTO ${dbUrl('oxy_bench_pgloader')}
     WITH include drop, create tables, create indexes, reset sequences, foreign keys,
          batch rows = 5000, prefetch rows = 10000, workers = 2, concurrency = 1;\n`,
  );
  const run = await timed('pgloader', ['--dynamic-space-size', '8192', '--quiet', load]);
  if (run.code !== 0) throw new Error(`pgloader failed (exit ${run.code}):\n${run.output.slice(-2000)}`);
  return run;
}

/**
 * The floor's fixtures, made once per scale from oxy's copy: the rows as CSV files, a template
 * database with oxy's tables stripped of every key, constraint and index, and their definitions.
 */
async function prepareFloor(scale: number): Promise<{ dir: string; definitions: string[] }> {
  const dir = path.join(work, `floor-${scale}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o777 });
  fs.chmodSync(dir, 0o777);
  const definitions = await admin(async (c) => {
    for (const table of TABLE_NAMES) await c.query(`copy "${table}" to '${dir}/${table}.csv' with (format csv)`);
    const { rows } = await c.query<{ sql: string }>(`
      select format('alter table %I add constraint %I %s', cl.relname, con.conname, pg_get_constraintdef(con.oid)) as sql,
             case con.contype when 'p' then 0 when 'u' then 1 when 'c' then 2 else 4 end as step
        from pg_constraint con join pg_class cl on cl.oid = con.conrelid
       where cl.relnamespace = 'public'::regnamespace
      union all
      select pg_get_indexdef(i.oid), 3 from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
       where t.relnamespace = 'public'::regnamespace and not exists (select 1 from pg_constraint where conindid = i.oid)
      order by 2`);
    return rows.map((r) => r.sql);
  }, dbUrl('oxy_bench_oxy'));
  await recreate('oxy_bench_bare', 'oxy_bench_oxy');
  await admin(async (c) => {
    for (const table of TABLE_NAMES) await c.query(`truncate "${table}" cascade`);
    await c.query(`drop schema if exists oxy_transfer cascade`);
    const { rows } = await c.query(`
      select format('alter table %I drop constraint %I', cl.relname, con.conname) as sql from pg_constraint con join pg_class cl on cl.oid = con.conrelid
       where cl.relnamespace = 'public'::regnamespace
      union all
      select format('drop index %I', i.relname) from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
       where t.relnamespace = 'public'::regnamespace and not exists (select 1 from pg_constraint where conindid = i.oid)`);
    for (const { sql } of rows.sort((a, b) => Number(b.sql.includes('_fkey')) - Number(a.sql.includes('_fkey'))))
      await c.query(sql);
  }, dbUrl('oxy_bench_bare'));
  return { dir, definitions };
}

async function runFloor(floor: { dir: string; definitions: string[] }): Promise<Run> {
  await recreate('oxy_bench_floor', 'oxy_bench_bare');
  const seconds = await admin(async (c) => {
    const started = performance.now();
    for (const table of TABLE_NAMES)
      await c.query(`copy "${table}" from '${floor.dir}/${table}.csv' with (format csv)`);
    for (const sql of floor.definitions) await c.query(sql);
    return (performance.now() - started) / 1000;
  }, dbUrl('oxy_bench_floor'));
  return { seconds };
}

interface ScaleResult {
  scale: number;
  rows: number;
  runs: Record<Tool, Run[]>;
}

async function benchScale(scale: number): Promise<ScaleResult> {
  const file = path.join(work, `source-${scale}.sqlite`);
  process.stderr.write(`\n== scale ${scale}: generating ${file}\n`);
  const shape = await generateSqliteSource(file, scale);
  const rows = Object.values(shape).reduce((a, b) => a + b, 0);
  const runs: Record<Tool, Run[]> = { oxy: [], pgloader: [], floor: [] };
  let floor: { dir: string; definitions: string[] } | undefined;
  const tools: Tool[] = hasPgloader ? ['oxy', 'pgloader', 'floor'] : ['oxy', 'floor'];
  for (let round = 0; round < rounds; round++) {
    // Rotate the order, so that no tool always runs first (or right after the heaviest).
    for (let k = 0; k < tools.length; k++) {
      const tool = tools[(round + k) % tools.length]!;
      if (tool === 'floor' && !floor) continue; // needs oxy's copy; runs after it in round 1
      const run =
        tool === 'oxy' ? await runOxy(file) : tool === 'pgloader' ? await runPgloader(file) : await runFloor(floor!);
      runs[tool].push(run);
      process.stderr.write(
        `round ${round + 1} ${tool}: ${run.seconds.toFixed(1)} s${run.peakMb ? `, ${run.peakMb.toFixed(0)} MB` : ''}\n`,
      );
      if (tool === 'oxy' && !floor) floor = await prepareFloor(scale);
    }
    if (round === 0 && runs.floor.length === 0) {
      const run = await runFloor(floor!);
      runs.floor.push(run);
      process.stderr.write(`round 1 floor: ${run.seconds.toFixed(1)} s\n`);
    }
  }
  if (!args.includes('--keep')) {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    if (floor) fs.rmSync(floor.dir, { recursive: true, force: true });
    for (const name of ['oxy_bench_oxy', 'oxy_bench_pgloader', 'oxy_bench_floor', 'oxy_bench_bare'])
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
  }
  return { scale, rows, runs };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function summary(result: ScaleResult) {
  const stat = (tool: Tool) => {
    const runs = result.runs[tool];
    if (runs.length === 0) return undefined;
    const seconds = runs.map((r) => r.seconds);
    const peaks = runs.map((r) => r.peakMb).filter((x): x is number => x !== undefined);
    return {
      min: Math.min(...seconds),
      median: median(seconds),
      rowsPerSecond: result.rows / median(seconds),
      peakPssMb: peaks.length ? Math.max(...peaks) : undefined,
      rounds: seconds,
    };
  };
  const oxy = stat('oxy')!;
  const pgloader = stat('pgloader');
  const floor = stat('floor')!;
  return {
    scale: result.scale,
    rows: result.rows,
    oxy,
    pgloader,
    floor,
    ratios: {
      oxyPerPgloaderMedian: pgloader ? pgloader.median / oxy.median : undefined,
      oxyPerPgloaderMin: pgloader ? pgloader.min / oxy.min : undefined,
      oxyPerFloorMedian: floor.median / oxy.median,
      oxyPerFloorMin: floor.min / oxy.min,
    },
  };
}

const results: ReturnType<typeof summary>[] = [];
for (const scale of scales) {
  results.push(summary(await benchScale(scale)));
  if (flag('--json')) fs.writeFileSync(flag('--json')!, JSON.stringify(results, null, 2));
}

const pgVersion = await admin(async (c) => (await c.query('show server_version')).rows[0].server_version as string);
const pgloaderVersion = hasPgloader
  ? spawnSync('pgloader', ['--version']).stdout.toString().split('\n')[0]
  : 'not installed';
console.log(
  `\nmigrate-sqlite benchmark — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, PostgreSQL ${pgVersion}, ${pgloaderVersion}; ${rounds} interleaved rounds`,
);
console.log('tool       scale      rows        min s   median s   rows/s (median)   peak PSS');
for (const r of results) {
  for (const [tool, s] of [
    ['oxy', r.oxy],
    ['pgloader', r.pgloader],
    ['floor', r.floor],
  ] as const) {
    if (!s) continue;
    console.log(
      `${tool.padEnd(10)} ${fmt(r.scale).padEnd(10)} ${fmt(r.rows).padEnd(11)} ${s.min.toFixed(1).padStart(6)} ${s.median.toFixed(1).padStart(10)} ${fmt(s.rowsPerSecond).padStart(17)} ${s.peakPssMb ? `${fmt(s.peakPssMb)} MB` : '-'}`.trimEnd(),
    );
  }
  const ratio = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(2));
  console.log(
    `  ratios at ${fmt(r.scale)}: oxy/pgloader ${ratio(r.ratios.oxyPerPgloaderMedian)} (median) ${ratio(r.ratios.oxyPerPgloaderMin)} (min); oxy/floor ${ratio(r.ratios.oxyPerFloorMedian)} (median) ${ratio(r.ratios.oxyPerFloorMin)} (min)`,
  );
}
console.log(
  '(oxy: checks, COPY, every batch and entity verified, foreign keys re-validated; pgloader: verifies nothing; floor: COPY CSV into bare tables, then keys, constraints and indexes.)',
);
fs.rmSync(work, { recursive: true, force: true });
