import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { findUnstorable } from '../db/storable-value.js';
import { addInputRules, strictSchema } from './input-rules.js';

const ajvPool = AjvCompiler();
const COMMON = { removeAdditional: false, useDefaults: true, allErrors: false } as const;

type RouteSchema = Parameters<FastifySchemaCompiler<FastifySchema>>[0];

/**
 * The one validator compiler of the app (Fastify's `schemaController.compilersFactory.buildValidator`).
 * Bodies are JSON and are taken as typed: no coercion, so `123`, `true` or `["a"]` are not text.
 * Query strings, params and headers arrive as text and are converted to the schema's types.
 * Every part obeys the input rules of input-rules.ts (clean text, safe integers, canonical
 * UUIDs and timestamps), whatever route it belongs to.
 */
export function buildValidator(externalSchemas: Parameters<typeof ajvPool>[0]) {
  const shared = Object.fromEntries(Object.entries(externalSchemas).map(([id, schema]) => [id, strictSchema(schema)]));
  const forBody = ajvPool(shared, { customOptions: { ...COMMON, coerceTypes: false }, onCreate: addInputRules });
  const forText = ajvPool(shared, { customOptions: { ...COMMON, coerceTypes: 'array' }, onCreate: addInputRules });
  return (route: RouteSchema) => {
    const compile = route.httpPart === 'body' ? forBody : forText;
    const validate = compile({ ...route, schema: strictSchema(route.schema) } as Parameters<typeof compile>[0]);
    const checked = (data: unknown) => {
      const problem = findUnstorable(data);
      if (problem) {
        checked.errors = [
          { instancePath: problem.path, schemaPath: '#', keyword: 'text', params: {}, message: problem.message },
        ];
        return false;
      }
      const valid = validate(data) as boolean;
      checked.errors = validate.errors;
      return valid;
    };
    checked.errors = null as unknown;
    return checked;
  };
}
