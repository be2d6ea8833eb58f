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

/**
 * A variable given as text on the command line (`-v n=3`), typed by its schema (or, without one,
 * by its default's type): integers and numbers parsed, booleans `true`/`false`, lists and objects
 * as JSON; anything else stays text. An error names what was expected.
 */
export function variableFromText(spec: VariableSpec | undefined, text: string): unknown {
  const declared = spec?.schema.type ?? (spec?.default === undefined ? 'string' : jsonType(spec.default));
  const type = Array.isArray(declared) ? declared.find((t) => t !== 'null') : declared;
  switch (type) {
    case 'integer':
    case 'number': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value) || (type === 'integer' && !Number.isInteger(value)))
        throw new Error(`must be ${type === 'integer' ? 'a whole number' : 'a number'}, not ${JSON.stringify(text)}`);
      return value;
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw new Error(`must be true or false, not ${JSON.stringify(text)}`);
      return text === 'true';
    case 'array':
    case 'object': {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new Error(`must be JSON (${type === 'array' ? 'a list like ["a","b"]' : 'an object like {"k":1}'})`);
      }
      return value;
    }
    default:
      return text;
  }
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
