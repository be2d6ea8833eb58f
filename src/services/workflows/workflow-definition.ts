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
