/**
 * `oxy init --demo` data benchmark: how long generating the demo's DuckDB file takes, against two
 * peers measured in the same run, in interleaved rounds (each round runs all three, in a
 * rotating order, each into a fresh file):
 *   1. demo: writeDemoDatabase (the generator oxy runs: seeded arithmetic, seasonality, joins);
 *   2. floor: DuckDB writing the same numbers of rows and columns from bare range() arithmetic
 *      (what the volume alone costs);
 *   3. copy: copying a finished demo file (what shipping a prebuilt file instead would cost).
 * Prints min and median wall time per variant and the ratios demo/floor and demo/copy.
 *
 *   npm run bench:demo -- [--rounds 7]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeDemoDatabase, type DemoTableCounts } from '../src/services/demo/demo-data.js';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 7) || 7;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-demo-'));

async function floor(file: string, counts: DemoTableCounts): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    await connection.run(`
      create table orders as select i::integer as order_id, date '2025-01-01' + (i % 365)::integer as order_date,
        (i % 7 + 1)::integer as store_id, (i % 600 + 1)::integer as customer_id from range(${counts.orders}) r(i);
      create table order_lines as select (i // 3)::integer as order_id, (i % 3 + 1)::integer as line_no,
        (i % 24 + 1)::integer as product_id, (i % 4 + 1)::integer as quantity, (i % 500)::decimal(10, 2) as unit_price
        from range(${counts.order_lines}) r(i);
      checkpoint;`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const reference = path.join(work, 'reference.duckdb');
const counts = await writeDemoDatabase(reference);
const variants: Record<string, (file: string) => Promise<unknown>> = {
  demo: (file) => writeDemoDatabase(file),
  floor: (file) => floor(file, counts),
  copy: async (file) => fs.promises.copyFile(reference, file),
};
const names = Object.keys(variants);
const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
let n = 0;
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length]!;
    const file = path.join(work, `${name}-${++n}.duckdb`);
    const started = performance.now();
    await variants[name]!(file);
    times[name]!.push(performance.now() - started);
    fs.rmSync(file, { force: true });
  }
}
fs.rmSync(work, { recursive: true, force: true });

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const min = (name: string) => sorted(times[name]!)[0]!;
const median = (name: string) => sorted(times[name]!)[Math.floor(times[name]!.length / 2)]!;
console.log(`demo data: ${counts.orders} orders, ${counts.order_lines} order lines; ${rounds} interleaved rounds`);
for (const name of names)
  console.log(
    `${name.padEnd(6)} min ${min(name).toFixed(0).padStart(6)} ms   median ${median(name).toFixed(0).padStart(6)} ms`,
  );
for (const peer of ['floor', 'copy'])
  console.log(
    `demo/${peer}: ${(median('demo') / median(peer)).toFixed(1)}x of medians, ${(min('demo') / min(peer)).toFixed(1)}x of minima`,
  );
