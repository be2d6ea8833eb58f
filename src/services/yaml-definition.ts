import { parse, YAMLParseError } from 'yaml';
import { ValidationError } from '../errors.js';
import type { JsonValue } from '../db/schema.js';
import { findUnstorable } from '../db/storable-value.js';

/**
 * Parses an agent or workflow YAML definition into JSON, or throws a ValidationError naming the
 * field and the line of the problem. YAML escapes (`"\0"`, `"\ud800"`) can make text neither
 * backend stores alike: that is refused too.
 */
export function parseYamlDefinition(text: string, field = 'definition'): JsonValue {
  try {
    const value = parse(text, { prettyErrors: false, maxAliasCount: 100, logLevel: 'error' }) as JsonValue;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ValidationError(`${field} must be a YAML mapping`, [{ field, message: 'must be a YAML mapping' }]);
    }
    const unstorable = findUnstorable(value);
    if (unstorable) {
      const message = `the YAML value at ${unstorable.path} ${unstorable.message}`;
      throw new ValidationError(`${field}: ${message}`, [{ field, message }]);
    }
    return value;
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const where = error instanceof YAMLParseError ? ` at line ${text.slice(0, error.pos[0]).split('\n').length}` : '';
    const message = `invalid YAML${where}: ${(error as Error).message.split('\n')[0]}`;
    throw new ValidationError(`${field}: ${message}`, [{ field, message }]);
  }
}
