import type { FastifyInstance, FastifyRequest } from 'fastify';
import { entities, type EntityDef, type TableName, type WorkspaceRole } from '../../db/entities.js';
import { workspacePath } from '../../db/workspace-path.js';
import type { RowValues } from '../../repositories/entity.repository.js';
import { createSchema, idParams, listQuerySchema, pageSchema, updateSchema } from '../entity-schemas.js';
import type { RoutePermission } from '../permissions.js';

/** Entities whose routes are written by hand (write-only values, instance roles). */
export const CUSTOM_ROUTED: readonly TableName[] = ['secrets', 'users'];

type ListQuery = { limit?: number; cursor?: string; q?: string } & RowValues;

const errors = { 400: { $ref: 'error#' }, 404: { $ref: 'error#' }, 409: { $ref: 'error#' } };

function listOptions(app: FastifyInstance, req: FastifyRequest, extra: RowValues = {}) {
  const { limit, cursor, q, ...where } = req.query as ListQuery;
  return {
    limit,
    after: cursor,
    titleContains: q,
    where: { ...where, ...extra },
    scope: app.services.permissions.scopeOf(req.access!),
  };
}

/**
 * Rows of a workspace table: that workspace's role; other tables (users): any signed-in user.
 * Anyone signed in creates a workspace (and owns it), except with a key limited to a workspace.
 */
function onRows(
  table: string,
  role: WorkspaceRole,
  target: 'row' | 'create' | 'list',
): { permission: RoutePermission } {
  const path = workspacePath(table);
  if (!path) return { permission: { signedIn: true } };
  if (path.length === 0 && target === 'create') return { permission: { signedIn: true, scopedKeys: false } };
  return { permission: { workspace: role, table: table as TableName, target } };
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

    const writeRole = entity.writeRole ?? 'editor';
    app.get(
      `/${table}`,
      {
        config: onRows(table, 'viewer', 'list'),
        schema: { tags, querystring: listQuerySchema(entity), response: { 200: pageSchema(entity), ...errors } },
      },
      (req) => app.services.entities.list(table, listOptions(app, req)),
    );
    app.get(
      `/${table}/:id`,
      { config: onRows(table, 'viewer', 'row'), schema: { tags, params: idParams, response: { 200: ref, ...errors } } },
      (req) => app.services.entities.get(table, (req.params as { id: string }).id),
    );

    for (const column of entity.columns) {
      if (column.references?.onDelete !== 'cascade') continue;
      const parent = column.references.table;
      const prefix = `${parent.replace(/s$/, '')}_`;
      const suffix = table.startsWith(prefix) ? table.slice(prefix.length) : table;
      app.get(
        `/${parent}/:id/${suffix}`,
        {
          config: onRows(parent, 'viewer', 'row'),
          schema: {
            tags,
            params: idParams,
            querystring: listQuerySchema(entity, [column.name]),
            response: { 200: pageSchema(entity), ...errors },
          },
        },
        async (req) => {
          const { id } = req.params as { id: string };
          await app.services.entities.get(parent as TableName, id);
          return app.services.entities.list(table, listOptions(app, req, { [column.name]: id }));
        },
      );
    }

    if (entity.api === 'read') continue;
    app.post(
      `/${table}`,
      {
        config: onRows(table, writeRole, 'create'),
        schema: { tags, body: createSchema(entity), response: { 201: ref, ...errors } },
      },
      async (req, reply) =>
        reply.status(201).send(await app.services.entities.create(table, req.body as RowValues, req.actor?.userId)),
    );
    app.patch(
      `/${table}/:id`,
      {
        config: onRows(table, writeRole, 'row'),
        schema: { tags, params: idParams, body: updateSchema(entity), response: { 200: ref, ...errors } },
      },
      (req) => app.services.entities.update(table, (req.params as { id: string }).id, req.body as RowValues),
    );
    app.delete(
      `/${table}/:id`,
      {
        config: onRows(table, entity.deleteRole ?? writeRole, 'row'),
        schema: { tags, params: idParams, response: { 204: { type: 'null' }, ...errors } },
      },
      async (req, reply) => {
        await app.services.entities.delete(table, (req.params as { id: string }).id);
        return reply.status(204).send();
      },
    );
  }
}
