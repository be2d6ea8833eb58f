import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EntityRepository } from '../../repositories/entity.repository.js';
import { ProjectFiles } from '../project/project-files.js';
import type { WorkflowFiles } from './run-context.js';
import type { TaskOutput } from './task-output.js';

const WORKFLOW_FILE = /\.(procedure|workflow|automation)\.ya?ml$/;

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
      const name = path.basename(relativePath).replace(WORKFLOW_FILE, '');
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
