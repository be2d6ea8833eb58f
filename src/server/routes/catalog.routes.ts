import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { DescribedTable } from '../../services/catalog/catalog.service.js';
import { idParams } from '../entity-schemas.js';

const errors = { 400: { $ref: 'error#' }, 404: { $ref: 'error#' } };
const description = Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()]);
const id = Type.String({ format: 'uuid' });

const schemaDocument = Type.Object(
  {
    database: Type.Object({
      id,
      name: Type.String(),
      kind: Type.String(),
      dialect: Type.String({ description: 'the SQL dialect the database speaks' }),
    }),
    syncedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'when the catalog was last synced; null: never',
    }),
    datasets: Type.Array(
      Type.Object({
        id,
        name: Type.String(),
        description,
        tables: Type.Array(
          Type.Object({
            id,
            name: Type.String(),
            kind: Type.Union([Type.Literal('table'), Type.Literal('view')]),
            rowCount: Type.Union([Type.Integer(), Type.Null()], { description: "the engine's estimate" }),
            description,
            columns: Type.Array(
              Type.Object({
                id,
                name: Type.String(),
                type: Type.String(),
                nullable: Type.Boolean(),
                ordinal: Type.Integer(),
                description,
              }),
            ),
          }),
        ),
      }),
    ),
  },
  { title: 'SchemaDocument' },
);

/**
 * The stored catalog of a database (viewers: one nested document, or DDL text for prompts), and
 * the one thing users write in it: descriptions (editors), which a sync keeps.
 */
export async function catalogRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/databases/:id/schema',
    {
      config: { permission: { workspace: 'viewer', table: 'databases', target: 'row' } },
      schema: {
        tags: ['databases'],
        operationId: 'getDatabaseSchema',
        summary: "Read a database's catalog as one document or as DDL",
        params: idParams,
        querystring: Type.Object(
          {
            format: Type.Optional(
              Type.Union([Type.Literal('json'), Type.Literal('ddl')], {
                description: 'json (default), or ddl: CREATE TABLE / CREATE VIEW text in the database dialect',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'The catalog as last synced.',
            content: {
              'application/json': { schema: schemaDocument },
              'text/plain': { schema: { type: 'string' } },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const { id: databaseId } = req.params as { id: string };
      if ((req.query as { format?: string }).format !== 'ddl') return app.services.catalog.schema(databaseId);
      return reply.type('text/plain; charset=utf-8').send(await app.services.catalog.ddl(databaseId));
    },
  );

  for (const table of ['datasets', 'tables', 'columns'] as const satisfies readonly DescribedTable[]) {
    app.patch(
      `/${table}/:id`,
      {
        config: { permission: { workspace: 'editor', table, target: 'row' } },
        schema: {
          tags: [table],
          summary: `Describe a ${table.replace(/s$/, '')} (the only field of the catalog users write)`,
          params: idParams,
          body: Type.Object({ description }, { additionalProperties: false }),
          response: { 200: { $ref: `${table}.row#` }, ...errors },
        },
      },
      (req) =>
        app.services.catalog.describe(
          table,
          (req.params as { id: string }).id,
          (req.body as { description: string | null }).description,
        ),
    );
  }
}
