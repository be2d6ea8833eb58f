/**
 * CSV export benchmark: `GET /api/queries/:id/results.csv` of 1,000,000 rows from PostgreSQL on
 * a running `oxy serve` (the built CLI), beside PostgreSQL's own `COPY (…) TO STDOUT CSV` read
 * through pg-copy-streams in a process of its own, in the same run. Interleaved rounds; rows/s
 * (min and median time) and their ratio; the oxy server's RSS sampled during each export, to
 * show it stays flat (first tenth of the export vs the rest).
 *
 *   npm run bench:csv [-- --rounds 3 --rows 1000000 --json]
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
const rounds = option('--rounds', 3);
const rowCount = option('--rows', 1_000_000);
const sql = `select n, n * 2 as twice, 'row ' || n as label, n % 7 = 0 as lucky from generate_series(1, ${rowCount}) as g(n)`;

const server = await startOxyServer(sql);
const idleRss = rssMiB(server.pid) ?? 0;

interface Round {
  ms: number;
  bytes: number;
  rss?: number[];
}

async function viaOxy(): Promise<Round> {
  const rss = sampleRss(server.pid, 50);
  const started = performance.now();
  const res = await fetch(`${server.base}/api/queries/${server.queryId}/results.csv`);
  if (res.status !== 200 || !res.body) throw new Error(`oxy answered ${res.status}: ${await res.text()}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  const ms = performance.now() - started;
  if (lines !== rowCount + 1) throw new Error(`oxy sent ${lines - 1} rows`);
  return { ms, bytes, rss: rss.stop() };
}

async function viaCopy(): Promise<Round> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    path.resolve('bench/support/pg-peer.mjs'),
    server.sourceUrl,
    sql,
    'copy',
  ]);
  const result = JSON.parse(stdout) as { ms: number; rows: number; bytes: number };
  if (result.rows !== rowCount) throw new Error(`COPY sent ${result.rows} rows`);
  return result;
}

const oxy: Round[] = [];
const copy: Round[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`round ${round + 1}/${rounds}\n`);
    const order = round % 2 === 0 ? [viaOxy, viaCopy] : [viaCopy, viaOxy];
    for (const run of order) (run === viaOxy ? oxy : copy).push(await run());
  }
} finally {
  await server.stop();
}

const rss = oxy.flatMap((r) => r.rss ?? []);
const firstTenth = oxy.flatMap((r) => (r.rss ?? []).slice(0, Math.max(1, Math.ceil((r.rss ?? []).length / 10))));
const summary = {
  node: process.version,
  cpus: os.cpus().length,
  rows: rowCount,
  rounds,
  oxy: {
    minMs: min(oxy.map((r) => r.ms)),
    medianMs: median(oxy.map((r) => r.ms)),
    bytes: oxy[0]!.bytes,
    idleRssMiB: idleRss,
    rssFirstTenthMaxMiB: Math.max(...firstTenth),
    rssMaxMiB: Math.max(...rss),
    rssMinMiB: Math.min(...rss),
  },
  copy: { minMs: min(copy.map((r) => r.ms)), medianMs: median(copy.map((r) => r.ms)), bytes: copy[0]!.bytes },
};
if (args.includes('--json')) console.log(JSON.stringify(summary, null, 2));
else {
  const rate = (ms: number) =>
    Math.round(rowCount / (ms / 1000))
      .toLocaleString('en')
      .padStart(11);
  console.log(
    `\nCSV export of ${rowCount.toLocaleString('en')} rows (4 columns) from PostgreSQL — node ${process.version}, ${os.cpus().length} CPUs, ${rounds} interleaved rounds`,
  );
  console.log('path                                       rows/s (best)  rows/s (median)     MB');
  console.log(
    `GET /api/queries/:id/results.csv (oxy)     ${rate(summary.oxy.minMs)}      ${rate(summary.oxy.medianMs)}  ${(summary.oxy.bytes / 1e6).toFixed(1).padStart(5)}`,
  );
  console.log(
    `COPY … TO STDOUT CSV (pg-copy-streams)     ${rate(summary.copy.minMs)}      ${rate(summary.copy.medianMs)}  ${(summary.copy.bytes / 1e6).toFixed(1).padStart(5)}`,
  );
  console.log(
    `time ratio oxy / COPY: min ${(summary.oxy.minMs / summary.copy.minMs).toFixed(2)}×, median ${(summary.oxy.medianMs / summary.copy.medianMs).toFixed(2)}×`,
  );
  console.log(
    `oxy server RSS: idle ${idleRss.toFixed(0)} MiB; during exports ${summary.oxy.rssMinMiB.toFixed(0)}–${summary.oxy.rssMaxMiB.toFixed(0)} MiB (max in the first tenth of each export ${summary.oxy.rssFirstTenthMaxMiB.toFixed(0)} MiB)`,
  );
}
