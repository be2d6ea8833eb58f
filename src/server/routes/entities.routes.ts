import type { FastifyInstance } from 'fastify';
import { entities, type EntityDef, type TableName } from '../../db/entities.js';
import type { RowValues } from '../../repositories/entity.repository.js';
import { createSchema, idParams, listQuerySchema, pageSchema, updateSchema } from '../entity-schemas.js';

/** Entities whose routes are written by hand (write-only values, auth rules). */
export const CUSTOM_ROUTED: readonly TableName[] = ['secrets'];

type ListQuery = { limit?: number; cursor?: string } & RowValues;

const errors = { 400: { $ref: 'error#' }, 404: { $ref: 'error#' }, 409: { $ref: 'error#' } };

function listOptions(query: ListQuery, extra: RowValues = {}) {
  const { limit, cursor, ...where } = query;
  return { limit, after: cursor, where: { ...where, ...extra } };
}

/**
 * `/api/<table>` for every entity: list (cursor pages), get, and for 'crud' entities create,
 * update and delete; plus `/api/<parent>/:id/<children>` for rows owned by a parent (cascade
 * references), e.g. `/api/threads/:id/messages` and `/api/runs/:id/steps`.
 */
export async function entityRoutes(app: FastifyInstance): Promise<void> {
  for (const entity of entities as readonly EntityDef[]) {
    if (entity.api === 'none' || CUSTOM_ROUTED.includes(entity.table as TableName)) continue;
    const table = entity.table as TableName;
    const tags = [table];
    const ref = { $ref: `${table}.row#` };

    app.get(`/${table}`, { schema: { tags, querystring: listQuerySchema(entity), response: { 200: pageSchema(entity), ...errors } } }, (req) =>
      app.services.entities.list(table, listOptions(req.query as ListQuery)),
    );
    app.get(`/${table}/:id`, { schema: { tags, params: idParams, response: { 200: ref, ...errors } } }, (req) =>
      app.services.entities.get(table, (req.params as { id: string }).id),
    );

    for (const column of entity.columns) {
      if (column.references?.onDelete !== 'cascade') continue;
      const parent = column.references.table;
      const prefix = `${parent.replace(/s$/, '')}_`;
      const suffix = table.startsWith(prefix) ? table.slice(prefix.length) : table;
      app.get(
        `/${parent}/:id/${suffix}`,
        { schema: { tags, params: idParams, querystring: listQuerySchema(entity, [column.name]), response: { 200: pageSchema(entity), ...errors } } },
        async (req) => {
          const { id } = req.params as { id: string };
          await app.services.entities.get(parent as TableName, id);
          return app.services.entities.list(table, listOptions(req.query as ListQuery, { [column.name]: id }));
        },
      );
    }

    if (entity.api === 'read') continue;
    app.post(`/${table}`, { schema: { tags, body: createSchema(entity), response: { 201: ref, ...errors } } }, async (req, reply) =>
      reply.status(201).send(await app.services.entities.create(table, req.body as RowValues, req.actor?.userId)),
    );
    app.patch(`/${table}/:id`, { schema: { tags, params: idParams, body: updateSchema(entity), response: { 200: ref, ...errors } } }, (req) =>
      app.services.entities.update(table, (req.params as { id: string }).id, req.body as RowValues),
    );
    app.delete(`/${table}/:id`, { schema: { tags, params: idParams, response: { 204: { type: 'null' }, ...errors } } }, async (req, reply) => {
      await app.services.entities.delete(table, (req.params as { id: string }).id);
      return reply.status(204).send();
    });
  }
}
