import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { parse } from 'yaml';
import { ConfigError, NotFoundError } from '../../errors.js';
import type { QueryResult } from '../connectors/connector.js';
import { ConnectorService } from '../connectors/connector.service.js';
import type { DatabaseKind } from '../connectors/database-config.js';
import { ProjectDatabases, projectDatabaseRow, NO_APP_DATABASE } from '../project/project-databases.js';
import { ProjectFiles } from '../project/project-files.js';
import { readProjectFolder, type ProjectFolder } from '../project/project-folder.js';
import { WorkflowRunner } from '../workflows/workflow-runner.js';
import type { AgentEnvironment } from './agent-environment.js';
import type { PreparedAgent, PrepareOptions } from './agent-turn.js';
import { readContextFiles } from './context-files.js';
import { keySource, type KeySource } from './models/key-source.js';
import { prepareAgent } from './prepare-agent.js';
import { snapshotDdl } from './snapshot-ddl.js';
import { workflowSummary } from './workflow-summary.js';
import { AGENT_FILE, nameOfFile } from '../project/oxy-file-names.js';

/** config.yml's `models` and `defaults` (the databases are read by readProjectFolder). */
export function readFolderSettings(root: string): { models: unknown; defaults: Record<string, unknown> } {
  let config: { models?: unknown; defaults?: unknown } | null;
  try {
    config = parse(readFileSync(path.join(root, 'config.yml'), 'utf8')) as typeof config;
  } catch (error) {
    throw new ConfigError(
      `cannot read ${path.join(root, 'config.yml')}: ${(error as Error).message.split('\n')[0]}`,
      'fix its YAML',
    );
  }
  const defaults = config?.defaults;
  return {
    models: config?.models ?? [],
    defaults: defaults && typeof defaults === 'object' ? (defaults as Record<string, unknown>) : {},
  };
}

/** The agent files of a project folder, by agent name (`sales.agent.yml` → `sales`). */
export async function folderAgents(root: string): Promise<Map<string, string>> {
  const files = await glob(['**/*.agent.yml', '**/*.agent.yaml'], {
    cwd: root,
    ignore: ['**/node_modules/**', '**/.git/**'],
  });
  return new Map(files.sort().map((file) => [nameOfFile(file, AGENT_FILE), path.resolve(root, file)]));
}

/** The agent's file: a path (relative to the folder) when it looks like one, else a name. */
async function agentFile(root: string, agent: string): Promise<string> {
  if (AGENT_FILE.test(agent) || agent.includes('/') || agent.includes(path.sep)) return path.resolve(root, agent);
  const agents = await folderAgents(root);
  const file = agents.get(agent);
  if (!file)
    throw new NotFoundError(
      `no agent ${agent} in ${root}: ${agents.size ? `it has ${[...agents.keys()].join(', ')}` : 'it has no *.agent.yml file'}`,
    );
  return file;
}

/** config.yml's databases through the one read-only path; catalogs read from the engines. */
class FolderEnvironment implements AgentEnvironment {
  private readonly connectors: ConnectorService;

  constructor(
    private readonly project: ProjectFolder,
    private readonly env: Readonly<Record<string, string | undefined>>,
    readonly keys: KeySource,
  ) {
    this.connectors = new ConnectorService(NO_APP_DATABASE, NO_APP_DATABASE, env);
  }

  kind(database: string): DatabaseKind {
    return projectDatabaseRow(this.project, database).kind as DatabaseKind;
  }

  runSql(database: string, sql: string, limit: number, signal: AbortSignal): Promise<QueryResult> {
    return this.connectors.run(projectDatabaseRow(this.project, database), sql, limit, signal);
  }

  async ddl(database: string, signal: AbortSignal): Promise<string> {
    const row = projectDatabaseRow(this.project, database);
    return snapshotDdl(database, row.kind as DatabaseKind, await this.connectors.catalog(row, signal));
  }

  contextFiles(globs: readonly string[]): Promise<string> {
    return readContextFiles(this.project.root, globs);
  }

  async runWorkflow(ref: string, variables: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    const file = path.resolve(this.project.root, ref);
    const databases = new ProjectDatabases(this.project, this.env);
    try {
      const runner = new WorkflowRunner({
        databases,
        files: new ProjectFiles(this.project.root),
        variables,
        signal,
        source: path.relative(this.project.root, file),
      });
      return workflowSummary(await runner.run(await readFile(file, 'utf8')));
    } finally {
      await databases.close();
    }
  }

  close(): Promise<void> {
    return this.connectors.closeAll();
  }
}

export async function prepareFolderAgentIn(
  root: string,
  agent: string,
  env: Readonly<Record<string, string | undefined>>,
  options: PrepareOptions,
): Promise<PreparedAgent> {
  const project = readProjectFolder(root);
  if (project.configProblem)
    throw new ConfigError(`cannot read ${path.join(root, 'config.yml')}: ${project.configProblem}`, 'fix its YAML');
  const { models } = readFolderSettings(root);
  const file = await agentFile(root, agent);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw new NotFoundError(`cannot read agent file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  const environment = new FolderEnvironment(project, env, keySource(env));
  return prepareAgent({
    name: nameOfFile(file, AGENT_FILE),
    source,
    models,
    env: environment,
    kind: async (database) => environment.kind(database),
    options,
  });
}
