import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openMigratedDatabase } from '../db/open-app-database.js';
import { UsageError } from '../errors.js';
import { createAppServices } from '../services/app-services.js';
import { createDemo, type DemoOutcome } from '../services/demo/create-demo.js';
import { DEMO_DATABASE, DEMO_PROJECT, DEMO_WORKFLOW } from '../services/demo/demo-content.js';

/** Where `oxy init --demo` writes when no DIR is given (relative to the current folder). */
export const DEFAULT_DEMO_DIR = 'oxy-demo';

interface InitOptions {
  demo?: boolean;
  force?: boolean;
  workspace?: string;
}

/** `oxy init --demo [DIR]`: a project folder of generated sample sales data, recorded in the app database. */
export function initCommand(): Command {
  return withInitOptions(new Command('init'))
    .description('create a project; --demo: one of generated sample sales data (DuckDB), with queries and charts')
    .option('--demo', 'create the demo project (the only kind `oxy init` creates for now)')
    .action(async (dir: string | undefined, opts: InitOptions) => {
      if (!opts.demo)
        throw new UsageError('oxy init creates the demo project only for now', 'run `oxy init --demo [DIR]`');
      await runDemo(dir, opts);
    });
}

/** `oxy demo [DIR]`: the same as `oxy init --demo [DIR]`. */
export function demoCommand(): Command {
  return withInitOptions(new Command('demo'))
    .description('the same as `oxy init --demo`: a demo project of generated sample sales data')
    .action(async (dir: string | undefined, opts: InitOptions) => runDemo(dir, opts));
}

function withInitOptions(command: Command): Command {
  return command
    .argument('[dir]', `the project folder to write (default ./${DEFAULT_DEMO_DIR})`)
    .option('--force', 'replace an existing folder and demo project')
    .option('--workspace <workspace>', "the workspace (id or slug) to hold the project (default: the owner's first)");
}

async function runDemo(dir: string | undefined, opts: InitOptions): Promise<void> {
  const config = loadConfig();
  const { database } = await openMigratedDatabase(config);
  try {
    const services = await createAppServices(config, database);
    try {
      const outcome = await createDemo(services, {
        dir: path.resolve(dir ?? DEFAULT_DEMO_DIR),
        force: Boolean(opts.force),
        workspace: opts.workspace,
      });
      process.stdout.write(report(outcome, config.database.display, process.env.OXY_PORT ?? '3000'));
    } finally {
      await services.connectors.closeAll();
    }
  } finally {
    await database.close();
  }
}

/** What was made, and the next steps with the URLs to open. */
function report(o: DemoOutcome, databaseDisplay: string, port: string): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const base = `http://localhost:${port}/api`;
  const c = o.counts;
  const made = c
    ? [
        `Created the demo in ${o.dir} (${o.elapsedMs} ms):`,
        `  ${path.basename(o.databaseFile)}  ${n(c.stores)} stores, ${n(c.products)} products, ${n(c.customers)} customers, ${n(c.orders)} orders, ${n(c.order_lines)} order lines`,
        `  config.yml, queries/*.sql, workflows/${DEMO_WORKFLOW.name}.procedure.yml, README.md`,
      ]
    : [`The demo is already in ${o.dir}; nothing changed (--force recreates it).`];
  const lines = [
    ...made,
    `Recorded in ${databaseDisplay}:`,
    `  workspace ${o.workspace.label}${o.workspace.created ? ' (new)' : ''}, project ${o.project.name} ${o.project.id}${o.project.replaced ? ' (replaced)' : ''}`,
    `  database ${o.database.name} ${o.database.id} (duckdb)`,
    ...o.queries.map((q) => `  query ${q.name} ${q.id}`),
    ...o.charts.map((c) => `  chart "${c.title}" ${c.id}`),
    `  catalog: ${o.catalog}`,
    '',
    'Next:',
    '  oxy serve',
    `  curl ${base}/charts/${o.charts[0]!.id}.svg > monthly-revenue.svg`,
    `  curl ${base}/charts/${o.charts[1]!.id}.svg > revenue-by-store.svg`,
    `  curl -X POST ${base}/queries/${o.queries[0]!.id}/run`,
    `  oxy query ${DEMO_DATABASE} "select region, count(*) as stores from stores group by region" --project ${DEMO_PROJECT}`,
    `  cd ${o.dir} && oxy run workflows/${DEMO_WORKFLOW.name}.procedure.yml -v region=South`,
    '',
  ];
  return lines.join('\n');
}
