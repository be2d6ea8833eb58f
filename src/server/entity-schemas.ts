import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { entities, type ColumnDef, type EntityDef } from '../db/entities.js';
import { chartSpecSchema } from '../services/charts/chart-spec.js';

/** JSON Schemas for the API, derived from entities.ts so that validation, responses and OpenAPI agree. */

function valueSchema(column: ColumnDef): TSchema {
  switch (column.type) {
    case 'uuid':
      return Type.String({ format: 'uuid' });
    case 'text':
      return column.enum
        ? Type.Union(column.enum.map((v) => Type.Literal(v)))
        : Type.String(column.maxLength === undefined ? {} : { maxLength: column.maxLength });
    case 'timestamp':
      return Type.String({ format: 'date-time' });
    case 'json':
      return Type.Any();
    case 'boolean':
      return Type.Boolean();
    case 'integer':
      return Type.Integer();
    case 'bytes':
      return Type.String({ contentEncoding: 'base64' });
  }
}

/** JSON columns whose input has a shape of its own (what their service checks), by table and column. */
const INPUT_SCHEMAS: Record<string, Record<string, TSchema>> = { charts: { spec: chartSpecSchema } };

function inputSchema(entity: EntityDef, column: ColumnDef): TSchema {
  return INPUT_SCHEMAS[entity.table]?.[column.name] ?? columnSchema(column);
}

function columnSchema(column: ColumnDef): TSchema {
  const schema = valueSchema(column);
  return column.nullable && column.type !== 'json' ? Type.Union([schema, Type.Null()]) : schema;
}

/** What the API returns for one row: every column that is not hidden. */
export function rowSchema(entity: EntityDef): TSchema {
  const props: Record<string, TSchema> = {};
  for (const c of entity.columns) if (!c.hidden) props[c.name] = columnSchema(c);
  return Type.Object(props, { $id: `${entity.table}.row`, title: entity.table });
}

/** The body of a create: input columns; required where NOT NULL without a default. */
export function createSchema(entity: EntityDef, extra: Record<string, TSchema> = {}): TSchema {
  const props: Record<string, TSchema> = {};
  for (const c of entity.columns) {
    if (c.managed) continue;
    props[c.name] =
      c.nullable || c.default !== undefined || c.fromActor
        ? Type.Optional(inputSchema(entity, c))
        : inputSchema(entity, c);
  }
  return Type.Object({ ...props, ...extra }, { additionalProperties: false });
}

/** The body of an update: any input column. */
export function updateSchema(entity: EntityDef, extra: Record<string, TSchema> = {}): TSchema {
  const props: Record<string, TSchema> = {};
  for (const c of entity.columns) if (!c.managed) props[c.name] = Type.Optional(inputSchema(entity, c));
  return Type.Object({ ...props, ...extra }, { additionalProperties: false, minProperties: 1 });
}

/** Columns a list can be filtered on: references, enums and booleans. */
export function filterColumns(entity: EntityDef): ColumnDef[] {
  return entity.columns.filter((c) => !c.hidden && (c.references || c.enum || c.type === 'boolean'));
}

export function listQuerySchema(entity: EntityDef, omit: string[] = []): TSchema {
  const props: Record<string, TSchema> = {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ format: 'uuid' })),
  };
  for (const c of filterColumns(entity)) if (!omit.includes(c.name)) props[c.name] = Type.Optional(valueSchema(c));
  if (entity.columns.some((c) => c.name === 'title'))
    props.q = Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'only rows whose title contains this text (any case)' }),
    );
  return Type.Object(props, { additionalProperties: false });
}

export function pageSchema(entity: EntityDef): TSchema {
  return Type.Object({
    items: Type.Array(Type.Ref(`${entity.table}.row`)),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  });
}

export const idParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const errorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Any()),
    }),
  },
  { $id: 'error' },
);

/** Adds the shared schemas (`error`, `<table>.row`) to the app, so routes and OpenAPI refer to them. */
export function registerSharedSchemas(app: FastifyInstance): void {
  app.addSchema(errorSchema);
  for (const entity of entities as readonly EntityDef[]) if (entity.api !== 'none') app.addSchema(rowSchema(entity));
}
