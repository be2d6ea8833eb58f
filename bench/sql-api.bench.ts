/**
 * SQL API benchmark: a 100,000-row result through `POST /api/projects/:id/sql` (limit 100000) on
 * a running `oxy serve` (the built CLI; PostgreSQL as the user database), beside the same query
 * through the bare driver (`pg`, rows as arrays) in a process of its own, in the same run.
 * Interleaved rounds; min and median wall time of each and their ratio; peak RSS of the oxy
 * server during its requests (sampled from /proc) and of the peer process.
 *
 *   npm run bench:sql [-- --rounds 7 --rows 100000 --json]
 *
 * PostgreSQL: OXY_BENCH_POSTGRES_URL (an admin URL; a source database is created and dropped),
 * default postgresql://postgres@127.0.0.1:5432/postgres. Needs `npm run build` (run by the script).
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { median, min, rssMiB, sampleRss } from './support/rss.js';
import { startOxyServer } from './support/oxy-source.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rounds = option('--rounds', 7);
const rowCount = option('--rows', 100_000);
const sql = `select n, n * 2 as twice, 'row ' || n as label, n % 7 = 0 as lucky from generate_series(1, ${rowCount}) as g(n)`;

const server = await startOxyServer(sql);
const idleRss = rssMiB(server.pid) ?? 0;

async function viaOxy(): Promise<{ ms: number; peakRssMiB: number }> {
  const rss = sampleRss(server.pid);
  const started = performance.now();
  const res = await fetch(`${server.base}/api/projects/${server.projectId}/sql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ database: 'source', sql, limit: rowCount }),
  });
  const body = (await res.json()) as { rowCount: number };
  const ms = performance.now() - started;
  const samples = rss.stop();
  if (res.status !== 200 || body.rowCount !== rowCount)
    throw new Error(`oxy answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return { ms, peakRssMiB: Math.max(...samples) };
}

async function viaDriver(): Promise<{ ms: number; peakRssMiB: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    path.resolve('bench/support/pg-peer.mjs'),
    server.sourceUrl,
    sql,
    'query',
  ]);
  const result = JSON.parse(stdout) as { ms: number; rows: number; peakRssMiB: number };
  if (result.rows !== rowCount) throw new Error(`the driver read ${result.rows} rows`);
  return result;
}

const oxy: { ms: number; peakRssMiB: number }[] = [];
const driver: { ms: number; peakRssMiB: number }[] = [];
try {
  await viaOxy(); // warm: the pool, the type names
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`round ${round + 1}/${rounds}\n`);
    // Alternate which goes first, so neither always meets a warmer server.
    const order = round % 2 === 0 ? [viaOxy, viaDriver] : [viaDriver, viaOxy];
    for (const run of order) (run === viaOxy ? oxy : driver).push(await run());
  }
} finally {
  await server.stop();
}

const summary = {
  node: process.version,
  cpus: os.cpus().length,
  rows: rowCount,
  rounds,
  oxy: {
    minMs: min(oxy.map((r) => r.ms)),
    medianMs: median(oxy.map((r) => r.ms)),
    peakRssMiB: Math.max(...oxy.map((r) => r.peakRssMiB)),
    idleRssMiB: idleRss,
  },
  driver: {
    minMs: min(driver.map((r) => r.ms)),
    medianMs: median(driver.map((r) => r.ms)),
    peakRssMiB: Math.max(...driver.map((r) => r.peakRssMiB)),
  },
};
if (args.includes('--json')) console.log(JSON.stringify(summary, null, 2));
else {
  const f = (n: number) => n.toFixed(0).padStart(7);
  console.log(
    `\n${rowCount.toLocaleString('en')} rows (4 columns) from PostgreSQL — node ${process.version}, ${os.cpus().length} CPUs, ${rounds} interleaved rounds`,
  );
  console.log('path                                        min ms  median ms  peak RSS MiB');
  console.log(
    `POST /api/projects/:id/sql (oxy serve)     ${f(summary.oxy.minMs)}    ${f(summary.oxy.medianMs)}  ${f(summary.oxy.peakRssMiB)} (idle ${summary.oxy.idleRssMiB.toFixed(0)})`,
  );
  console.log(
    `bare pg client.query (own process)         ${f(summary.driver.minMs)}    ${f(summary.driver.medianMs)}  ${f(summary.driver.peakRssMiB)}`,
  );
  console.log(
    `ratio oxy / driver: min ${(summary.oxy.minMs / summary.driver.minMs).toFixed(2)}×, median ${(summary.oxy.medianMs / summary.driver.medianMs).toFixed(2)}×`,
  );
}
