import path from 'node:path';
import { existsSync } from 'node:fs';
import { parse } from 'yaml';
import type { AuthMode } from '../../config.js';
import type { AppDatabase } from '../../db/connect.js';
import type { TableName } from '../../db/entities.js';
import { ConfigError, OxyError } from '../../errors.js';
import type { EntityRepository, RowValues } from '../../repositories/entity.repository.js';
import { inTransaction } from '../../repositories/transaction.js';
import { sortJsonKeys } from '../../db/row-codec.js';
import type { AuthService } from '../auth.service.js';
import { EntityService } from '../entity.service.js';
import { PROJECT_FILE } from './project-folder.js';
import { readOxyProject, type ImportItem, type ImportKind } from './read-oxy-project.js';
import { choosePlacement, placedWorkspace } from './workspace-placement.js';

export type ImportOutcomeKind = 'created' | 'updated' | 'unchanged' | 'refused';

export interface ImportReport {
  workspace: { id: string; label: string };
  project: { id: string; name: string; created: boolean };
  items: { kind: ImportKind; name: string; source: string; outcome: ImportOutcomeKind; reason?: string }[];
}

const TABLES: Record<ImportKind, TableName> = {
  database: 'databases',
  agent: 'agents',
  workflow: 'workflows',
  query: 'queries',
};
/** Databases first: queries and agents name them. */
const ORDER: ImportKind[] = ['database', 'workflow', 'agent', 'query'];

/**
 * `oxy import DIR`: an Oxy project folder into a project of the application database, in one
 * transaction. Items are matched by name, so importing again updates in place; each is reported
 * created, updated, unchanged or refused (with the reason), and a refused one does not stop the
 * others. The project remembers the folder (`settings.folder`), where its workflows find their
 * `sql_file`s, and config.yml's `models` and `defaults`.
 */
export class ImportService {
  constructor(
    private readonly app: AppDatabase,
    private readonly repo: EntityRepository,
    private readonly auth: AuthService,
  ) {}

  async importFolder(
    dir: string,
    options: { auth: AuthMode; workspace?: string | undefined; project?: string | undefined },
  ): Promise<ImportReport> {
    const root = path.resolve(dir);
    if (!existsSync(path.join(root, PROJECT_FILE)))
      throw new ConfigError(
        `${dir} is not an Oxy project folder: it has no ${PROJECT_FILE}`,
        'give the folder that holds config.yml',
      );
    let content;
    try {
      content = readOxyProject(root);
    } catch (error) {
      throw new ConfigError(
        `cannot read ${path.join(dir, PROJECT_FILE)}: ${(error as Error).message.split('\n')[0]}`,
        'fix its YAML',
      );
    }
    const placement = await choosePlacement(this.repo, this.auth, {
      ...options,
      fallback: { name: 'Imported', slug: 'imported' },
      what: 'imported',
    });
    const projectName = options.project ?? path.basename(root);
    return inTransaction(this.app, async (repo) => {
      const entities = new EntityService(repo);
      const workspaceId = await placedWorkspace(repo, placement);
      const existing = await repo.findBy('projects', { workspace_id: workspaceId, name: projectName });
      const settings = { ...((existing?.settings as object | null) ?? {}), ...content.settings };
      const project = existing
        ? await entities.update('projects', String(existing.id), { settings })
        : await entities.create('projects', { workspace_id: workspaceId, name: projectName, settings });
      const projectId = String(project.id);
      const report: ImportReport = {
        workspace: { id: workspaceId, label: placement.label },
        project: { id: projectId, name: projectName, created: !existing },
        items: [],
      };
      const items = [...content.items].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
      for (const item of items) report.items.push(await this.importItem(repo, entities, projectId, item));
      return report;
    });
  }

  private async importItem(
    repo: EntityRepository,
    entities: EntityService,
    projectId: string,
    item: ImportItem<Record<string, unknown>>,
  ): Promise<ImportReport['items'][number]> {
    const base = { kind: item.kind, name: item.name, source: item.source };
    if (!item.values) return { ...base, outcome: 'refused', reason: item.refused };
    const table = TABLES[item.kind];
    try {
      const values = await this.rowValues(repo, projectId, item);
      const current = await repo.findBy(table, { project_id: projectId, name: item.name });
      if (!current) {
        await entities.create(table, { project_id: projectId, name: item.name, ...values });
        return { ...base, outcome: 'created' };
      }
      const changed = Object.fromEntries(
        // Key order is not meaning: PostgreSQL's jsonb keeps its own.
        Object.entries(values).filter(([key, value]) => !sameJson(current[key], value)),
      );
      if (Object.keys(changed).length === 0) return { ...base, outcome: 'unchanged' };
      await entities.update(table, String(current.id), changed);
      return { ...base, outcome: 'updated' };
    } catch (error) {
      // Rules checked before any statement (a config its kind refuses): the item is refused, the rest goes on.
      if (error instanceof OxyError && error.status === 400)
        return { ...base, outcome: 'refused', reason: error.message };
      throw error;
    }
  }

  /** The row's values: database names resolved to ids for queries (the default database) and agents (their execute_sql tool's). */
  private async rowValues(
    repo: EntityRepository,
    projectId: string,
    item: ImportItem<Record<string, unknown>>,
  ): Promise<RowValues> {
    const values = { ...item.values! };
    const databaseId = async (name: unknown) =>
      typeof name === 'string' ? ((await repo.findBy('databases', { project_id: projectId, name }))?.id ?? null) : null;
    if (item.kind === 'query') {
      const { database, ...rest } = values;
      return { ...rest, database_id: await databaseId(database) };
    }
    if (item.kind === 'agent') {
      const tools = (parse(String(values.definition)) as { tools?: { type?: string; database?: string }[] } | null)
        ?.tools;
      const sqlTool = Array.isArray(tools) ? tools.find((t) => t?.type === 'execute_sql') : undefined;
      return { ...values, database_id: await databaseId(sqlTool?.database) };
    }
    return values;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortJsonKeys(a ?? null)) === JSON.stringify(sortJsonKeys(b ?? null));
}
