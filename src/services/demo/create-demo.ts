import fs from 'node:fs';
import path from 'node:path';
import type { AppServices } from '../app-services.js';
import {
  DEMO_DATABASE_FILE,
  DEMO_QUERIES,
  DEMO_WORKFLOW,
  demoConfigYaml,
  demoQueryFile,
  demoReadme,
} from './demo-content.js';
import {
  DEMO_AGENT_FILE,
  DEMO_AGENT_TEST_FILE,
  DEMO_TEST_CASES,
  demoAgentTestYaml,
  demoAgentYaml,
} from './demo-agent.js';
import { writeDemoDatabase, type DemoTableCounts } from './demo-data.js';
import { checkTarget, stageFolder, type StagedFolder } from './demo-folder.js';
import { DemoService, type DemoPlacement, type DemoRecord } from './demo.service.js';

export interface CreateDemoOptions {
  /** The project folder to write (absolute). */
  dir: string;
  /** Replace an existing folder and demo project. */
  force: boolean;
  /** The workspace (id or slug) to put the project in; default: the owner's first. */
  workspace?: string | undefined;
}

export interface DemoOutcome extends DemoRecord {
  dir: string;
  databaseFile: string;
  /** Rows per table of the generated database; undefined when the demo was already there. */
  counts: DemoTableCounts | undefined;
  elapsedMs: number;
  /** What the catalog sync did: `synced (N tables, M columns)`, or 'unchanged' when the demo was already there. */
  catalog: string;
}

/**
 * `oxy init --demo`: finds the demo already made for this folder (and changes nothing), or checks
 * everything that could refuse first, generates the folder beside its target, swaps it in, and
 * records the project in one transaction; if recording fails the previous folder (or none) is
 * put back, so nothing is left half-written.
 */
export async function createDemo(services: AppServices, options: CreateDemoOptions): Promise<DemoOutcome> {
  const started = performance.now();
  const demo = new DemoService(services.repo, services.auth);
  const databaseFile = path.join(options.dir, DEMO_DATABASE_FILE);
  const placement = await demo.placement({ auth: services.config.auth, workspace: options.workspace });
  if (!options.force) {
    const existing = await alreadyThere(demo, placement, options.dir);
    if (existing)
      return { ...existing, dir: options.dir, databaseFile, counts: undefined, catalog: 'unchanged', elapsedMs: 0 };
  }
  checkTarget(options.dir, options.force);
  await demo.checkProject(placement, options.force);

  const staged = stageFolder(options.dir);
  const counts = await writeFolder(staged).catch((error: unknown) => {
    staged.discard();
    throw error;
  });
  const installed = staged.install();
  let record: DemoRecord;
  try {
    record = await demo.record(placement, { databaseFile, folder: options.dir, force: options.force });
  } catch (error) {
    installed.rollback();
    throw error;
  }
  installed.commit();
  const catalog = await syncCatalog(services, record.database.id);
  return {
    ...record,
    dir: options.dir,
    databaseFile,
    counts,
    catalog,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** The demo recorded for this folder, when the folder still holds its config.yml and database. */
async function alreadyThere(demo: DemoService, placement: DemoPlacement, dir: string): Promise<DemoRecord | undefined> {
  const intact = ['config.yml', DEMO_DATABASE_FILE].every((file) => fs.existsSync(path.join(dir, file)));
  return intact ? demo.existing(placement, dir) : undefined;
}

/** The folder's files: the DuckDB database, config.yml, queries/*.sql, the workflow, the agent and its tests, README.md. */
async function writeFolder(staged: StagedFolder): Promise<DemoTableCounts> {
  const counts = await writeDemoDatabase(path.join(staged.staging, DEMO_DATABASE_FILE));
  fs.writeFileSync(path.join(staged.staging, 'config.yml'), demoConfigYaml());
  fs.mkdirSync(path.join(staged.staging, 'queries'));
  for (const query of DEMO_QUERIES)
    fs.writeFileSync(path.join(staged.staging, 'queries', `${query.name}.sql`), demoQueryFile(query));
  fs.mkdirSync(path.join(staged.staging, 'workflows'));
  fs.writeFileSync(
    path.join(staged.staging, 'workflows', `${DEMO_WORKFLOW.name}.procedure.yml`),
    DEMO_WORKFLOW.definition,
  );
  for (const [file, text] of [
    [DEMO_AGENT_FILE, demoAgentYaml()],
    [DEMO_AGENT_TEST_FILE, demoAgentTestYaml()],
  ] as const) {
    fs.mkdirSync(path.dirname(path.join(staged.staging, file)), { recursive: true });
    fs.writeFileSync(path.join(staged.staging, file), text);
  }
  fs.writeFileSync(path.join(staged.staging, 'README.md'), demoReadme(counts, DEMO_TEST_CASES.length));
  return counts;
}

/** Reads the demo database's catalog into oxy (inline: a new user sees the tables at once). */
async function syncCatalog(services: AppServices, databaseId: string): Promise<string> {
  const summary = await services.catalog.sync(databaseId);
  return `synced (${summary.tables} tables, ${summary.columns} columns)`;
}
