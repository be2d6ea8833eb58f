import type { Ajv } from 'ajv';
import type { DefinitionProblem } from './tasks/task-type.js';

/** One workflow variable: its JSON Schema (possibly `{}`) and its default, if any. */
export interface VariableSpec {
  name: string;
  schema: Record<string, unknown>;
  default?: unknown;
}

const SCHEMA_KEYWORDS = new Set([
  'type',
  'default',
  'enum',
  'const',
  'description',
  'title',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'items',
  'properties',
  'required',
  'anyOf',
  'oneOf',
  'allOf',
  'examples',
  'multipleOf',
  'minItems',
  'maxItems',
]);

function isSchema(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).length > 0 &&
    Object.keys(value).every((k) => SCHEMA_KEYWORDS.has(k) || k.startsWith('$'))
  );
}

/**
 * A workflow's `variables` in the three ways Oxy files write them: a whole JSON Schema
 * (`{type: object, properties: {...}}`), a schema per name (`{store: {type: string, default: X}}`),
 * or a plain default per name (`{fruit: apple}`). Each schema must compile.
 */
export function variableSpecs(variables: unknown, ajv: Ajv): { specs: VariableSpec[]; problems: DefinitionProblem[] } {
  if (variables === undefined || variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
    return { specs: [], problems: [] };
  }
  const record = variables as Record<string, unknown>;
  const wholeSchema = record.type === 'object' && isSchema(record) && typeof record.properties === 'object';
  const entries = wholeSchema ? Object.entries(record.properties as Record<string, unknown>) : Object.entries(record);
  const base = wholeSchema ? ['variables', 'properties'] : ['variables'];
  const specs: VariableSpec[] = [];
  const problems: DefinitionProblem[] = [];
  for (const [name, value] of entries) {
    const schema = isSchema(value) ? value : {};
    const spec: VariableSpec = { name, schema };
    if (isSchema(value)) {
      if ('default' in value) spec.default = value.default;
      try {
        const validate = ajv.compile(schema);
        if ('default' in value && !validate(value.default)) {
          problems.push({
            path: [...base, name, 'default'],
            message: `default ${ajv.errorsText(validate.errors, { dataVar: 'value' })}`,
          });
        }
      } catch (error) {
        problems.push({ path: [...base, name], message: `not a valid JSON Schema: ${(error as Error).message}` });
      }
    } else {
      spec.default = value;
    }
    specs.push(spec);
  }
  return { specs, problems };
}
