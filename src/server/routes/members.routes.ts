import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { WORKSPACE_ROLES, type WorkspaceRole } from '../../db/entities.js';
import { idParams } from '../entity-schemas.js';

const errors = { 400: { $ref: 'error#' }, 403: { $ref: 'error#' }, 404: { $ref: 'error#' }, 409: { $ref: 'error#' } };
const ref = { $ref: 'workspace_members.row#' };
const role = Type.Union(WORKSPACE_ROLES.filter((r) => r !== 'owner').map((r) => Type.Literal(r)));
const memberParams = Type.Object({ id: Type.String({ format: 'uuid' }), user_id: Type.String({ format: 'uuid' }) });
const admins = { permission: { workspace: 'admin', table: 'workspaces', target: 'row' } } as const;

/**
 * Members of a workspace (listed by the entity routes at GET /api/workspaces/:id/members):
 * admins add members, change their roles and remove them; the owner transfers ownership.
 */
export async function memberRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['workspace_members'];
  app.post(
    '/workspaces/:id/members',
    {
      config: admins,
      schema: {
        tags,
        params: idParams,
        body: Type.Object({ user_id: Type.String({ format: 'uuid' }), role }, { additionalProperties: false }),
        response: { 201: ref, ...errors },
      },
    },
    async (req, reply) => {
      const body = req.body as { user_id: string; role: WorkspaceRole };
      return reply.status(201).send(await app.services.workspaces.addMember((req.params as { id: string }).id, body));
    },
  );
  app.patch(
    '/workspaces/:id/members/:user_id',
    {
      config: admins,
      schema: {
        tags,
        params: memberParams,
        body: Type.Object({ role }, { additionalProperties: false }),
        response: { 200: ref, ...errors },
      },
    },
    (req) => {
      const { id, user_id } = req.params as { id: string; user_id: string };
      return app.services.workspaces.setRole(id, user_id, (req.body as { role: WorkspaceRole }).role);
    },
  );
  app.delete(
    '/workspaces/:id/members/:user_id',
    { config: admins, schema: { tags, params: memberParams, response: { 204: { type: 'null' }, ...errors } } },
    async (req, reply) => {
      const { id, user_id } = req.params as { id: string; user_id: string };
      await app.services.workspaces.removeMember(id, user_id);
      return reply.status(204).send();
    },
  );
  app.post(
    '/workspaces/:id/transfer',
    {
      config: { permission: { workspace: 'owner', table: 'workspaces', target: 'row' } },
      schema: {
        tags,
        params: idParams,
        body: Type.Object(
          {
            user_id: Type.String({
              format: 'uuid',
              description: 'the new owner; the previous owner stays as an admin',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: { $ref: 'workspaces.row#' }, ...errors },
      },
    },
    (req) =>
      app.services.workspaces.transfer((req.params as { id: string }).id, (req.body as { user_id: string }).user_id),
  );
}
