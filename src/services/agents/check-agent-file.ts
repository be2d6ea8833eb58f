import { readFileSync } from 'node:fs';
import { ValidationError, type FieldError } from '../../errors.js';
import type { ProjectFolder } from '../project/project-folder.js';
import type { FileProblem } from '../workflows/check-workflow-file.js';
import { checkTemplate, createTemplateEnvironment } from '../workflows/template-environment.js';
import { parseYamlSource } from '../workflows/yaml-source.js';
import { parseAgentDefinition } from './agent-definition.js';

/** `tools[1].database` → `['tools', 1, 'database']`. */
function fieldPath(field: string): (string | number)[] {
  return field
    .split(/\.|\[(\d+)\]/)
    .filter((part) => part !== undefined && part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * Checks agent files (`*.agent.yml`) for `oxy validate`: YAML, the fields, the Jinja of
 * `system_instructions`, and, in a project folder, that the model and the tools' databases are in
 * config.yml. One problem per line, with the line and column of the field.
 */
export function checkAgentFiles(
  files: readonly string[],
  project: ProjectFolder | undefined,
  models: readonly string[] | undefined,
): FileProblem[] {
  return files.flatMap((file) => checkAgentFile(file, project, models));
}

function checkAgentFile(file: string, project: ProjectFolder | undefined, models: readonly string[] | undefined) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return [{ file, path: [], message: `cannot read the file: ${code}`, line: 1, column: 1 }];
  }
  const source = parseYamlSource(text);
  if (source.problems.length > 0)
    return source.problems.map((p) => ({ ...p, file, line: p.line ?? 1, column: p.column ?? 1 }));
  const at = (path: (string | number)[], message: string): FileProblem => ({
    file,
    path,
    message,
    ...source.position(path),
  });
  let definition;
  try {
    definition = parseAgentDefinition(text);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const first = (error.details as { fields?: FieldError[] } | undefined)?.fields?.[0];
    return [first ? at(fieldPath(first.field), first.message) : at([], error.message)];
  }
  const problems: FileProblem[] = [];
  for (const problem of checkTemplate(createTemplateEnvironment(), definition.system_instructions)) {
    const start = source.position(['system_instructions']);
    problems.push({
      file,
      path: ['system_instructions'],
      message: problem.message,
      line: start.line + (problem.line ?? 1) - 1,
      column: start.column,
    });
  }
  if (models && !models.includes(definition.model))
    problems.push(
      at(
        ['model'],
        `config.yml has no model ${definition.model}${models.length ? ` (it has ${models.join(', ')})` : ''}`,
      ),
    );
  if (project && !project.configProblem)
    definition.tools.forEach((tool, i) => {
      if ('database' in tool && !project.databases.has(tool.database))
        problems.push(at(['tools', i, 'database'], `config.yml has no database ${tool.database}`));
    });
  return problems;
}
