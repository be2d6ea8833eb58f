import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { entityByTable, type WorkspaceRole } from '../../db/entities.js';
import type { SecretInput } from '../../services/secrets.service.js';
import { createSchema, idParams, listQuerySchema, pageSchema, updateSchema } from '../entity-schemas.js';

const secrets = entityByTable('secrets');
const value = { value: Type.String({ minLength: 1, description: 'the secret value; write-only, never returned' }) };
const errors = { 400: { $ref: 'error#' }, 404: { $ref: 'error#' }, 409: { $ref: 'error#' } };
const ref = { $ref: 'secrets.row#' };
/** A workspace's secrets: its viewers see names (never values), its admins manage them; instance-wide ones are for instance admins. */
const permission = (role: WorkspaceRole, target: 'row' | 'create' | 'list') => ({
  permission: { workspace: role, table: 'secrets', target } as const,
});

/** `/api/secrets`: values go in, are sealed, and never come back out. */
export async function secretRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['secrets'];
  const create = createSchema(secrets, value);
  app.get(
    '/secrets',
    {
      config: permission('viewer', 'list'),
      schema: { tags, querystring: listQuerySchema(secrets), response: { 200: pageSchema(secrets), ...errors } },
    },
    (req) => {
      const { limit, cursor, ...where } = req.query as { limit?: number; cursor?: string };
      return app.services.secrets.list({
        limit,
        after: cursor,
        where,
        scope: app.services.permissions.scopeOf(req.access!),
      });
    },
  );
  app.get(
    '/secrets/:id',
    { config: permission('viewer', 'row'), schema: { tags, params: idParams, response: { 200: ref, ...errors } } },
    (req) => app.services.secrets.get((req.params as { id: string }).id),
  );
  app.post(
    '/secrets',
    { config: permission('admin', 'create'), schema: { tags, body: create, response: { 201: ref, ...errors } } },
    async (req, reply) => reply.status(201).send(await app.services.secrets.create(req.body as SecretInput)),
  );
  app.patch(
    '/secrets/:id',
    {
      config: permission('admin', 'row'),
      schema: {
        tags,
        params: idParams,
        body: updateSchema(secrets, { value: Type.Optional(value.value) }),
        response: { 200: ref, ...errors },
      },
    },
    (req) => app.services.secrets.update((req.params as { id: string }).id, req.body as SecretInput),
  );
  app.delete(
    '/secrets/:id',
    {
      config: permission('admin', 'row'),
      schema: { tags, params: idParams, response: { 204: { type: 'null' }, ...errors } },
    },
    async (req, reply) => {
      await app.services.secrets.delete((req.params as { id: string }).id);
      return reply.status(204).send();
    },
  );
}
