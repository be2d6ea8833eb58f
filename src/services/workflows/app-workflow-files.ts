import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EntityRepository } from '../../repositories/entity.repository.js';
import { ProjectFiles } from '../project/project-files.js';
import { nameOfFile, WORKFLOW_FILE } from '../project/oxy-file-names.js';
import type { ConnectorService } from '../connectors/connector.service.js';
import type { WorkflowDatabases, WorkflowFiles } from './run-context.js';
import type { TaskOutput } from './task-output.js';

/**
 * The files of a workflow run by the server: the project's folder when it has one (`settings.folder`,
 * recorded by `oxy import` and `oxy init --demo`); a nested workflow's `src` missing there is found
 * among the project's stored workflows by name. Without a folder, `sql_file`, exports and caches
 * are refused with the reason.
 */
export class AppWorkflowFiles implements WorkflowFiles {
  private readonly folder: ProjectFiles | undefined;

  constructor(
    private readonly repo: EntityRepository,
    private readonly projectId: string,
    private readonly root: string | undefined,
  ) {
    this.folder = root && existsSync(root) ? new ProjectFiles(root) : undefined;
  }

  async readText(relativePath: string): Promise<string> {
    if (this.folder && this.root && existsSync(path.resolve(this.root, relativePath)))
      return this.folder.readText(relativePath);
    if (WORKFLOW_FILE.test(relativePath)) {
      const name = nameOfFile(relativePath, WORKFLOW_FILE);
      const stored = await this.repo.findBy('workflows', { project_id: this.projectId, name });
      if (stored) return String(stored.definition);
      throw new Error(`no workflow ${name} in the project (nor a file ${relativePath} in its folder)`);
    }
    throw new Error(this.needsFolder(`read ${relativePath}`));
  }

  writeExport(relativePath: string, content: string): Promise<string> {
    if (!this.folder) throw new Error(this.needsFolder(`export to ${relativePath}`));
    return this.folder.writeExport(relativePath, content);
  }

  async readCache(relativePath: string): Promise<TaskOutput | undefined> {
    if (!this.folder) throw new Error(this.needsFolder(`use the cache ${relativePath}`));
    return this.folder.readCache(relativePath);
  }

  writeCache(relativePath: string, output: TaskOutput): Promise<void> {
    if (!this.folder) throw new Error(this.needsFolder(`write the cache ${relativePath}`));
    return this.folder.writeCache(relativePath, output);
  }

  private needsFolder(what: string): string {
    return this.root
      ? `cannot ${what}: the project's folder ${this.root} does not exist any more`
      : `cannot ${what}: the project has no folder (oxy import DIR records one)`;
  }
}

/**
 * What a project's workflow runs on when the server runs it (a queued run, an agent's workflow
 * tool): the project's databases through the read-only path, and its folder's files.
 */
export function appWorkflowIo(
  repo: EntityRepository,
  connectors: ConnectorService,
  projectId: string,
  folder: string | undefined,
): { databases: WorkflowDatabases; files: WorkflowFiles } {
  return {
    databases: {
      run: (database, sql, options) => connectors.runInProject(projectId, database, sql, options.limit, options.signal),
    },
    files: new AppWorkflowFiles(repo, projectId, folder),
  };
}
