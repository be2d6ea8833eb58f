import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { WorkflowFiles } from '../workflows/run-context.js';
import type { TaskOutput } from '../workflows/task-output.js';

/** A workflow's files in its project folder: paths relative to the folder, as in Oxy. */
export class ProjectFiles implements WorkflowFiles {
  constructor(private readonly root: string) {}

  readText(relativePath: string): Promise<string> {
    return readFile(path.resolve(this.root, relativePath), 'utf8');
  }

  async writeExport(relativePath: string, content: string): Promise<string> {
    const target = path.resolve(this.root, relativePath);
    await mkdir(path.dirname(target), { recursive: true });
    // Written beside and renamed: a reader never sees half a file.
    const temporary = `${target}.${randomUUID()}.tmp`;
    await writeFile(temporary, content);
    await rename(temporary, target);
    return target;
  }

  async readCache(relativePath: string): Promise<TaskOutput | undefined> {
    try {
      return JSON.parse(await readFile(path.resolve(this.root, relativePath), 'utf8')) as TaskOutput;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async writeCache(relativePath: string, output: TaskOutput): Promise<void> {
    await this.writeExport(relativePath, JSON.stringify(output));
  }
}
