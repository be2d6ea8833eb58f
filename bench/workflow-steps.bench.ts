/**
 * Workflow step overhead: a 200-step workflow (formatter tasks, each rendering the previous one's
 * output) run three ways in interleaved rounds, against the floor of rendering the same 200
 * templates with nunjucks alone in the same process:
 *   - the runner alone (what `oxy run` does: scope, events, no recording);
 *   - a run through the run service on a SQLite application database (every step a run_steps row
 *     written twice and two run_events rows, as a worker runs it);
 *   - the same on PostgreSQL.
 * Prints min and median wall time, and the overhead per step over the floor.
 *
 *   npm run bench:workflow [-- --steps 200 --rounds 7 --json]
 *
 * PostgreSQL: OXY_BENCH_POSTGRES_URL (an admin URL; a database is created and dropped), default
 * postgresql://postgres@127.0.0.1:5432/postgres.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { openMigratedDatabase } from '../src/db/open-app-database.js';
import { createAppServices, type AppServices } from '../src/services/app-services.js';
import { createTemplateEnvironment } from '../src/services/workflows/template-environment.js';
import { WorkflowRunner } from '../src/services/workflows/workflow-runner.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const STEPS = option('--steps', 200);
const ROUNDS = option('--rounds', 7);
const adminUrl = process.env.OXY_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-workflow-'));
const pgName = `oxy_bench_workflow_${process.pid}`;

const TEMPLATE = (i: number) => (i === 0 ? 'step 0' : `{{ s${i - 1} | length }} then step ${i}`);
const DEFINITION = `tasks:\n${Array.from(
  { length: STEPS },
  (_, i) => `  - name: s${i}\n    type: formatter\n    template: "${TEMPLATE(i)}"\n`,
).join('')}`;

const noDatabases = {
  run: () => Promise.reject(new Error('no databases in this benchmark')),
};
const noFiles = {
  readText: () => Promise.reject(new Error('no files')),
  writeExport: () => Promise.reject(new Error('no files')),
  readCache: async () => undefined,
  writeCache: async () => undefined,
};

/** The floor: the same templates rendered in a row with nunjucks alone, each seeing the outputs before it. */
function floor(): void {
  const env = createTemplateEnvironment();
  const scope: Record<string, string> = {};
  for (let i = 0; i < STEPS; i++) scope[`s${i}`] = env.renderString(TEMPLATE(i), scope);
}

async function runnerAlone(): Promise<void> {
  await new WorkflowRunner({ databases: noDatabases, files: noFiles, onEvent: () => undefined }).run(DEFINITION);
}

async function appServices(url: string, stateDir: string): Promise<AppServices> {
  const config = loadConfig({ OXY_DATABASE_URL: url, OXY_STATE_DIR: stateDir });
  const { database } = await openMigratedDatabase(config);
  return createAppServices(config, database);
}

async function recordedRun(services: AppServices, workflowId: string): Promise<void> {
  const run = await services.runs.start(workflowId);
  const outcome = await services.runs.execute(String(run.id), new AbortController().signal);
  if (outcome.status !== 'succeeded') throw new Error(`run ${outcome.status}: ${outcome.error}`);
}

async function workflowIn(services: AppServices, slug: string): Promise<string> {
  const owner = await services.auth.ensureLocalOwner();
  const ws = await services.workspaces.create({ name: 'Bench', slug }, String(owner.id));
  const project = await services.entities.create('projects', { workspace_id: ws.id, name: 'bench' });
  const wf = await services.entities.create('workflows', {
    project_id: project.id,
    name: 'steps',
    definition: DEFINITION,
  });
  return String(wf.id);
}

const stats = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]! };
};

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${pgName}`);
  const pgUrl = new URL(adminUrl);
  pgUrl.pathname = `/${pgName}`;
  const sqlite = await appServices(`sqlite://${path.join(work, 'app.sqlite')}`, path.join(work, 'state-sqlite'));
  const postgres = await appServices(pgUrl.toString(), path.join(work, 'state-pg'));
  try {
    const sqliteWorkflow = await workflowIn(sqlite, 'bench-sqlite');
    const pgWorkflow = await workflowIn(postgres, 'bench-pg');
    const cases: [string, () => Promise<void> | void][] = [
      ['nunjucks alone (floor)', floor],
      ['runner (oxy run)', runnerAlone],
      ['recorded run, SQLite', () => recordedRun(sqlite, sqliteWorkflow)],
      ['recorded run, PostgreSQL', () => recordedRun(postgres, pgWorkflow)],
    ];
    for (const [, run] of cases) await run(); // warm-up
    const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < cases.length; k++) {
        const [name, run] = cases[(round + k) % cases.length]!;
        const started = performance.now();
        await run();
        times.get(name)!.push(performance.now() - started);
      }
    }
    const base = stats(times.get('nunjucks alone (floor)')!);
    const rows = [...times].map(([name, t]) => {
      const s = stats(t);
      return {
        name,
        minMs: s.min,
        medianMs: s.median,
        perStepOverMs: (s.median - base.median) / STEPS,
        ratio: s.median / base.median,
      };
    });
    if (args.includes('--json')) {
      process.stdout.write(`${JSON.stringify({ steps: STEPS, rounds: ROUNDS, rows }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${STEPS}-step workflow, ${ROUNDS} interleaved rounds\n`);
    process.stdout.write(
      '| case | min ms | median ms | per step over the floor (median) | × floor (median) |\n|---|---:|---:|---:|---:|\n',
    );
    for (const r of rows) {
      process.stdout.write(
        `| ${r.name} | ${r.minMs.toFixed(1)} | ${r.medianMs.toFixed(1)} | ${r.perStepOverMs.toFixed(3)} ms | ${r.ratio.toFixed(1)} |\n`,
      );
    }
  } finally {
    await sqlite.database.close();
    await postgres.database.close();
    await admin.query(`drop database if exists ${pgName} with (force)`);
    await admin.end();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
