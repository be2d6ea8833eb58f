import type { JsonValue } from '../../db/schema.js';
import { ValidationError } from '../../errors.js';
import { parseYamlDefinition } from '../yaml-definition.js';
import { checkWorkflow } from './check-workflow.js';
import { formatPath } from './yaml-source.js';

/**
 * A workflow definition as the API stores it: checked like `oxy validate` checks a file (the
 * cross-file references excepted: a stored workflow has no folder), refused with every problem
 * listed, each with its line, column and field.
 */
export function parseWorkflowDefinition(text: string): JsonValue {
  // YAML syntax and text neither backend stores alike are refused as for every YAML definition.
  parseYamlDefinition(text);
  const { definition, problems } = checkWorkflow(text);
  if (problems.length > 0 || !definition) {
    const fields = problems.map((p) => ({
      field: ['definition', formatPath(p.path)].filter(Boolean).join('.'),
      message: `line ${p.line}, column ${p.column}: ${p.message}`,
    }));
    const first = fields[0]!;
    const more = fields.length > 1 ? ` (and ${fields.length - 1} more problem${fields.length > 2 ? 's' : ''})` : '';
    throw new ValidationError(`${first.field}: ${first.message}${more}`, fields);
  }
  return definition as JsonValue;
}

export interface WorkflowProblem {
  line: number;
  column: number;
  /** The field, as `tasks[1].sql` (empty for the whole definition). */
  path: string;
  message: string;
}

/**
 * Every problem of a workflow definition, as saving it would report them (an empty list: it
 * saves), for an editor checking the text as it is typed.
 */
export function workflowProblems(text: string): WorkflowProblem[] {
  const { problems } = checkWorkflow(text);
  return problems.map((p) => ({
    line: p.line ?? 1,
    column: p.column ?? 1,
    path: formatPath(p.path),
    message: p.message,
  }));
}
