import type { AuthMode } from '../../config.js';
import type { EntityRepository } from '../../repositories/entity.repository.js';
import { inTransaction } from '../../repositories/transaction.js';
import type { AuthService } from '../auth.service.js';
import { EntityService } from '../entity.service.js';
import { DEMO_AGENT, DEMO_MODEL, demoAgentYaml } from './demo-agent.js';
import { DEMO_CHARTS, DEMO_DATABASE, DEMO_PROJECT, DEMO_QUERIES, DEMO_WORKFLOW } from './demo-content.js';
import { demoErrors } from './demo-errors.js';
import { choosePlacement, placedWorkspace, type Placement } from '../project/workspace-placement.js';

/** The workspace created for the demo when its owner has none. */
export const DEMO_WORKSPACE = { name: 'Demo', slug: 'demo' } as const;

/** Where the demo project goes: an existing workspace, or one to create for `ownerId`. */
export type DemoPlacement = Placement;

export interface DemoRecord {
  workspace: { id: string; label: string; created: boolean };
  project: { id: string; name: string; replaced: boolean };
  database: { id: string; name: string };
  queries: { id: string; name: string }[];
  charts: { id: string; title: string }[];
}

/**
 * The demo's rows in the application database: a project `demo` with its DuckDB database, saved
 * queries and charts, written through the same rules as the API (database config and chart
 * specs checked) in one transaction.
 */
export class DemoService {
  constructor(
    private readonly repo: EntityRepository,
    private readonly auth: AuthService,
  ) {}

  /** The workspace for the demo (see choosePlacement); a new one is `demo`. */
  placement(options: { auth: AuthMode; workspace?: string | undefined }): Promise<DemoPlacement> {
    return choosePlacement(this.repo, this.auth, { ...options, fallback: DEMO_WORKSPACE, what: 'demo' });
  }

  /** Refuses early (before any file is written) when the project exists and `force` is not given. */
  async checkProject(placement: DemoPlacement, force: boolean): Promise<void> {
    if (force || placement.kind === 'new') return;
    const existing = await this.repo.findBy('projects', { workspace_id: placement.workspaceId, name: DEMO_PROJECT });
    if (existing) throw demoErrors.projectExists(DEMO_PROJECT, placement.label);
  }

  /**
   * The demo already recorded in the placement's workspace for `folder` (the project's
   * `settings.folder`), or undefined: a second run with the same folder finds it and changes nothing.
   */
  async existing(placement: DemoPlacement, folder: string): Promise<DemoRecord | undefined> {
    if (placement.kind === 'new') return undefined;
    const project = await this.repo.findBy('projects', { workspace_id: placement.workspaceId, name: DEMO_PROJECT });
    if (!project || (project.settings as { folder?: unknown } | null)?.folder !== folder) return undefined;
    const database = await this.repo.findBy('databases', { project_id: project.id, name: DEMO_DATABASE });
    if (!database) return undefined;
    const of = async (table: 'queries' | 'charts') =>
      (await this.repo.list(table, { where: { project_id: project.id }, limit: 50 })).items;
    return {
      workspace: { id: placement.workspaceId, label: placement.label, created: false },
      project: { id: String(project.id), name: DEMO_PROJECT, replaced: false },
      database: { id: String(database.id), name: DEMO_DATABASE },
      queries: (await of('queries')).map((q) => ({ id: String(q.id), name: String(q.name) })),
      charts: (await of('charts')).map((c) => ({ id: String(c.id), title: String(c.title) })),
    };
  }

  /** Writes the project and everything in it; with `force`, an existing demo project is replaced. */
  async record(
    placement: DemoPlacement,
    input: { databaseFile: string; folder: string; force: boolean },
  ): Promise<DemoRecord> {
    return inTransaction(this.repo.app, async (repo) => {
      const entities = new EntityService(repo);
      const workspaceId = await placedWorkspace(repo, placement);
      const existing = await repo.findBy('projects', { workspace_id: workspaceId, name: DEMO_PROJECT });
      if (existing && !input.force) throw demoErrors.projectExists(DEMO_PROJECT, placement.label);
      if (existing) await repo.delete('projects', String(existing.id));
      const project = await entities.create('projects', {
        workspace_id: workspaceId,
        name: DEMO_PROJECT,
        settings: { demo: true, folder: input.folder },
      });
      const database = await entities.create('databases', {
        project_id: project.id,
        name: DEMO_DATABASE,
        kind: 'duckdb',
        config: { path: input.databaseFile },
      });
      const queries = new Map<string, string>();
      for (const query of DEMO_QUERIES) {
        const row = await entities.create('queries', {
          project_id: project.id,
          database_id: database.id,
          name: query.name,
          sql: query.sql,
        });
        queries.set(query.name, String(row.id));
      }
      // The folder's agent, so threads (and the web app) can ask it once the project has a model named `default`.
      await entities.create('agents', {
        project_id: project.id,
        database_id: database.id,
        name: DEMO_AGENT,
        model: DEMO_MODEL,
        definition: demoAgentYaml(),
      });
      await entities.create('workflows', {
        project_id: project.id,
        name: DEMO_WORKFLOW.name,
        definition: DEMO_WORKFLOW.definition,
      });
      const charts: DemoRecord['charts'] = [];
      for (const chart of DEMO_CHARTS) {
        const row = await entities.create('charts', {
          project_id: project.id,
          title: chart.title,
          spec: chart.spec(queries.get(chart.query)!),
        });
        charts.push({ id: String(row.id), title: chart.title });
      }
      return {
        workspace: { id: workspaceId, label: placement.label, created: placement.kind === 'new' },
        project: { id: String(project.id), name: DEMO_PROJECT, replaced: existing !== undefined },
        database: { id: String(database.id), name: DEMO_DATABASE },
        queries: [...queries].map(([name, id]) => ({ id, name })),
        charts,
      };
    });
  }
}
