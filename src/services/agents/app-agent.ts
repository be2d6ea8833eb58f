import { NotFoundError } from '../../errors.js';
import { nameOfFile, WORKFLOW_FILE } from '../project/oxy-file-names.js';
import type { AppServices } from '../app-services.js';
import type { QueryResult } from '../connectors/connector.js';
import type { DatabaseKind } from '../connectors/database-config.js';
import { appWorkflowIo } from '../workflows/app-workflow-files.js';
import { WorkflowRunner } from '../workflows/workflow-runner.js';
import type { AgentEnvironment } from './agent-environment.js';
import type { PreparedAgent, PrepareOptions } from './agent-turn.js';
import { readContextFiles } from './context-files.js';
import type { KeySource } from './models/key-source.js';
import { workspaceKeySource } from './models/workspace-keys.js';
import { prepareAgent } from './prepare-agent.js';
import { workflowSummary } from './workflow-summary.js';

/** A project's databases, catalog, charts and workflows as an agent reaches them. */
class AppEnvironment implements AgentEnvironment {
  constructor(
    private readonly services: AppServices,
    private readonly projectId: string,
    private readonly folder: string | undefined,
    readonly keys: KeySource,
  ) {}

  async database(name: string): Promise<{ id: string; kind: DatabaseKind }> {
    const rows = (await this.services.repo.list('databases', { where: { project_id: this.projectId, name }, limit: 1 }))
      .items;
    const row = rows[0];
    if (!row) throw new NotFoundError(`the agent's project has no database ${name}`);
    return { id: String(row.id), kind: row.kind as DatabaseKind };
  }

  runSql(database: string, sql: string, limit: number, signal: AbortSignal): Promise<QueryResult> {
    return this.services.connectors.runInProject(this.projectId, database, sql, limit, signal);
  }

  async ddl(database: string): Promise<string> {
    return this.services.catalog.ddl((await this.database(database)).id);
  }

  async contextFiles(globs: readonly string[]): Promise<string> {
    return this.folder ? readContextFiles(this.folder, globs) : '';
  }

  async saveChart(chart: { title: string; spec: object; threadId?: string }): Promise<string | undefined> {
    const row = await this.services.entities.create('charts', {
      project_id: this.projectId,
      thread_id: chart.threadId ?? null,
      title: chart.title,
      spec: chart.spec,
    });
    return String(row.id);
  }

  /**
   * Runs the project's workflow in this process, as the run service runs one (same databases and
   * files), without a `runs` row: the agent waits for its result within the turn.
   */
  async runWorkflow(ref: string, variables: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    const name = nameOfFile(ref, WORKFLOW_FILE);
    const workflow = await this.services.repo.findBy('workflows', { project_id: this.projectId, name });
    if (!workflow) throw new NotFoundError(`the agent's project has no workflow ${name}`);
    const runner = new WorkflowRunner({
      ...appWorkflowIo(this.services.repo, this.services.connectors, this.projectId, this.folder),
      variables,
      signal,
      source: name,
    });
    return workflowSummary(await runner.run(String(workflow.definition)));
  }

  async close(): Promise<void> {
    // The connector service's pools belong to the application.
  }
}

export async function prepareAppAgentIn(
  services: AppServices,
  agentId: string,
  options: PrepareOptions,
): Promise<PreparedAgent> {
  const agent = await services.repo.get('agents', agentId);
  const project = await services.repo.get('projects', String(agent.project_id));
  const settings = (project.settings ?? {}) as { models?: unknown; folder?: unknown };
  const folder = typeof settings.folder === 'string' ? settings.folder : undefined;
  const keys = workspaceKeySource(
    services.config.environment,
    services.repo,
    services.secrets,
    String(project.workspace_id),
  );
  const env = new AppEnvironment(services, String(project.id), folder, keys);
  return prepareAgent({
    name: String(agent.name),
    source: String(agent.definition),
    models: settings.models ?? [],
    env,
    kind: async (database) => (await env.database(database)).kind,
    options,
  });
}
