import type { Ajv } from '@fastify/ajv-compiler';
import { canonicalTimestamp } from '../db/timestamp.js';

/**
 * The rules every API input obeys, whatever route it reaches, so that SQLite and PostgreSQL see
 * the same values and refuse nothing the API accepted:
 * - text (strings and object keys, at any depth, json columns included) holds no NUL and no lone
 *   UTF-16 surrogate, and arrays and objects nest at most MAX_DEPTH levels (db/storable-value.ts);
 * - integers are JS numbers, so they stay within the safe-integer range (±2^53 − 1);
 * - UUIDs are lower-cased before use: PostgreSQL compares them case-insensitively, SQLite as text;
 * - timestamps name a real instant between years 0001 and 9999 in UTC.
 */

const isSchemaNode = (value: unknown): value is Record<string | symbol, unknown> =>
  value !== null && typeof value === 'object';

const hasType = (node: Record<string | symbol, unknown>, type: string) =>
  node.type === type || (Array.isArray(node.type) && node.type.includes(type));

/**
 * A copy of a JSON Schema in which every integer is bounded to the safe-integer range and every
 * `format: uuid` string is canonicalised (the `canonicalUuid` keyword). Symbol keys (TypeBox's
 * markers) are kept. `forDocs` leaves out the keyword, for the OpenAPI document.
 */
export function strictSchema<T>(schema: T, forDocs = false): T {
  if (Array.isArray(schema)) return schema.map((item) => strictSchema(item, forDocs)) as T;
  if (!isSchemaNode(schema)) return schema;
  const out: Record<string | symbol, unknown> = {};
  for (const key of Reflect.ownKeys(schema)) {
    const value = schema[key];
    // `default`, `const`, `enum` and `examples` hold data, not schemas.
    out[key] =
      typeof key === 'string' && ['default', 'const', 'enum', 'examples'].includes(key)
        ? value
        : strictSchema(value, forDocs);
  }
  if (hasType(out, 'integer')) {
    out.minimum =
      typeof out.minimum === 'number' ? Math.max(out.minimum, Number.MIN_SAFE_INTEGER) : Number.MIN_SAFE_INTEGER;
    out.maximum =
      typeof out.maximum === 'number' ? Math.min(out.maximum, Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER;
  }
  if (!forDocs && out.format === 'uuid') out.canonicalUuid = true;
  return out as T;
}

/** True when `value` is a timestamp both backends store alike (see canonicalTimestamp). */
export function isStorableTimestamp(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i.test(value)) return false;
  try {
    canonicalTimestamp(value); // refuses dates that do not exist and years outside 1 to 9999 in UTC
    return true;
  } catch {
    return false;
  }
}

/** Adds oxy's keyword and formats to an Ajv instance (both of the validator compiler's). */
export function addInputRules(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'canonicalUuid',
    type: 'string',
    modifying: true,
    schemaType: 'boolean',
    validate(
      enabled: boolean,
      data: string,
      _schema: unknown,
      context?: { parentData: Record<string | number, unknown>; parentDataProperty: string | number },
    ) {
      if (enabled && context?.parentData && data !== data.toLowerCase())
        context.parentData[context.parentDataProperty] = data.toLowerCase();
      return true;
    },
  });
  ajv.addFormat('date-time', { type: 'string', validate: isStorableTimestamp });
  // ajv-formats also accepts a `urn:uuid:` prefix, which PostgreSQL's uuid type refuses.
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
}
