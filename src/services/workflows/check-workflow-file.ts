import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProjectFolder } from '../project/project-folder.js';
import { checkWorkflow, eachTask } from './check-workflow.js';
import type { DefinitionProblem } from './tasks/task-type.js';

/** A problem of one file, for printing as `file:line:column: message (field)`. */
export interface FileProblem extends DefinitionProblem {
  file: string;
}

/**
 * Checks a workflow file and what it points to in its project folder: databases named by tasks
 * exist in config.yml, `sql_file`, `agent_ref` and nested workflow `src` files exist, and nested
 * workflows do not include themselves (directly or through others). Each file, the nested ones
 * reached included, is checked once; the problems come file by file.
 */
export function checkWorkflowFiles(files: readonly string[], project: ProjectFolder | undefined): FileProblem[] {
  const done = new Map<string, FileProblem[]>();
  for (const file of files) checkFile(path.resolve(file), project, [], done);
  return [...done.values()].flat();
}

function checkFile(
  file: string,
  project: ProjectFolder | undefined,
  stack: string[],
  done: Map<string, FileProblem[]>,
): FileProblem[] {
  const cached = done.get(file);
  if (cached) return cached;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return [
      {
        file,
        path: [],
        message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        line: 1,
        column: 1,
      },
    ];
  }
  const { definition, problems, source } = checkWorkflow(text);
  const found: FileProblem[] = problems.map((p) => ({ ...p, file }));
  const at = (p: Omit<DefinitionProblem, 'line' | 'column'>): FileProblem => ({
    file,
    ...p,
    ...source.position(p.path),
  });
  const root = project?.root ?? path.dirname(file);
  eachTask(definition?.tasks, ['tasks'], (task, taskPath) => {
    if (task.type === 'execute_sql' && typeof task.database === 'string' && project && !project.configProblem) {
      if (!project.databases.has(task.database)) {
        const known = [...project.databases.keys()];
        found.push(
          at({
            path: [...taskPath, 'database'],
            message: `unknown database \`${task.database}\` (${known.length ? `config.yml has: ${known.join(', ')}` : 'config.yml lists no databases'})`,
          }),
        );
      }
    }
    for (const field of ['sql_file', 'agent_ref'] as const) {
      if (typeof task[field] === 'string' && !existsSync(path.resolve(root, task[field]))) {
        found.push(
          at({
            path: [...taskPath, field],
            message: `${field} \`${task[field]}\` does not exist (paths are relative to the project folder)`,
          }),
        );
      }
    }
    if (task.type === 'workflow' && typeof task.src === 'string') {
      const nested = path.resolve(root, task.src);
      if (!existsSync(nested)) {
        found.push(
          at({
            path: [...taskPath, 'src'],
            message: `src \`${task.src}\` does not exist (paths are relative to the project folder)`,
          }),
        );
      } else if (nested === file || stack.includes(nested)) {
        const cycle = [...stack, file, nested].slice(stack.indexOf(nested) === -1 ? -2 : stack.indexOf(nested));
        found.push(
          at({
            path: [...taskPath, 'src'],
            message: `workflow includes itself: ${cycle.map((f) => path.basename(f)).join(' → ')}`,
          }),
        );
      } else {
        checkFile(nested, project, [...stack, file], done);
      }
    }
  });
  done.set(file, found);
  return found;
}
