import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { entityByTable } from '../../db/entities.js';
import type { UserInput } from '../../services/user.service.js';
import { PASSWORD_MIN } from '../../services/user.service.js';
import { createSchema, idParams, listQuerySchema, pageSchema, rowSchema, updateSchema } from '../entity-schemas.js';

const users = entityByTable('users');
const errors = { 400: { $ref: 'error#' }, 403: { $ref: 'error#' }, 404: { $ref: 'error#' }, 409: { $ref: 'error#' } };
const ref = { $ref: 'users.row#' };
const password = Type.String({
  minLength: PASSWORD_MIN,
  description: 'the new password; omit it to get an invitation token instead',
});
const invitation = Type.Object({
  token: Type.String({ description: 'shown once: POST it with a password to /api/auth/invitations/accept' }),
  expires_at: Type.String(),
});
const signedIn = { permission: { signedIn: true } } as const;
const admins = { permission: { instance: 'admin', apiKeys: false } } as const;
/** Listing accounts is instance-wide: a key limited to one workspace does not list them. */
const signedInUnscoped = { permission: { signedIn: true, scopedKeys: false } } as const;

/**
 * `/api/users`: every signed-in user may look accounts up (to add them to a workspace);
 * instance owners and admins create, change and delete them (user.service.ts has the role rules).
 */
export async function userRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['users'];
  const { properties } = rowSchema(users) as unknown as { properties: Record<string, unknown> };
  const created = Type.Object({ ...(properties as Record<string, never>), invitation: Type.Optional(invitation) });
  app.get(
    '/users',
    {
      config: signedInUnscoped,
      schema: { tags, querystring: listQuerySchema(users), response: { 200: pageSchema(users), ...errors } },
    },
    (req) => {
      const { limit, cursor, ...where } = req.query as { limit?: number; cursor?: string };
      return app.services.entities.list('users', { limit, after: cursor, where });
    },
  );
  app.get(
    '/users/:id',
    { config: signedIn, schema: { tags, params: idParams, response: { 200: ref, ...errors } } },
    (req) => app.services.entities.get('users', (req.params as { id: string }).id),
  );
  app.post(
    '/users',
    {
      config: admins,
      schema: {
        tags,
        body: createSchema(users, { password: Type.Optional(password) }),
        response: { 201: created, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await app.services.users.create(req.access!, req.body as UserInput)),
  );
  app.patch(
    '/users/:id',
    {
      config: admins,
      schema: {
        tags,
        params: idParams,
        body: updateSchema(users, { password: Type.Optional(password) }),
        response: { 200: ref, ...errors },
      },
    },
    (req) => app.services.users.update(req.access!, (req.params as { id: string }).id, req.body as UserInput),
  );
  app.delete(
    '/users/:id',
    { config: admins, schema: { tags, params: idParams, response: { 204: { type: 'null' }, ...errors } } },
    async (req, reply) => {
      await app.services.users.delete(req.access!, (req.params as { id: string }).id);
      return reply.status(204).send();
    },
  );
  app.post(
    '/users/:id/invitation',
    { config: admins, schema: { tags, params: idParams, response: { 201: invitation, ...errors } } },
    async (req, reply) => {
      return reply.status(201).send(await app.services.users.reinvite(req.access!, (req.params as { id: string }).id));
    },
  );
}
