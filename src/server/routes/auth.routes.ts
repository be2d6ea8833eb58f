import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AuthError } from '../../services/auth.service.js';
import { SESSION_COOKIE } from '../auth.js';
import { idParams } from '../entity-schemas.js';

const errors = { 400: { $ref: 'error#' }, 401: { $ref: 'error#' }, 403: { $ref: 'error#' }, 404: { $ref: 'error#' } };
const apiKey = Type.Object({ id: Type.String(), prefix: Type.String(), expires_at: Type.Union([Type.String(), Type.Null()]), revoked_at: Type.Union([Type.String(), Type.Null()]), created_at: Type.String() });

/** `/api/auth`: sign in and out, who am I, and API keys for scripts. */
export async function authRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['auth'];
  const me = (actorId: string | undefined) => {
    if (!actorId) throw new AuthError('unauthenticated', 'sign in first');
    return actorId;
  };

  app.post(
    '/auth/login',
    { config: { public: true }, schema: { tags, body: Type.Object({ email: Type.String({ minLength: 1 }), password: Type.String({ minLength: 1 }) }, { additionalProperties: false }), response: { 200: Type.Object({ user: Type.Unsafe({ $ref: 'users.row#' }) }), ...errors } } },
    async (request, reply) => {
      const { email, password } = request.body as { email: string; password: string };
      const { user, token } = await app.services.auth.login(email, password, { recordLogin: !app.readonlyMode });
      reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure: request.protocol === 'https', maxAge: 7 * 86_400 });
      return { user };
    },
  );
  app.post('/auth/logout', { config: { public: true }, schema: { tags } }, async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });
  app.get('/auth/me', { schema: { tags, response: { 200: { $ref: 'users.row#' }, ...errors } } }, (request) =>
    app.services.repo.get('users', me(request.actor?.userId)),
  );
  app.get('/auth/api-keys', { schema: { tags, response: { 200: Type.Object({ items: Type.Array(apiKey) }), ...errors } } }, async (request) => ({
    items: await app.services.auth.listApiKeys(me(request.actor?.userId)),
  }));
  app.post(
    '/auth/api-keys',
    {
      schema: {
        tags,
        body: Type.Object({ expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])) }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String(), key: Type.String({ description: 'shown once' }), expires_at: Type.Union([Type.String(), Type.Null()]) }), ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await app.services.auth.createApiKey(me(request.actor?.userId), (request.body ?? {}) as { expires_at?: string })),
  );
  app.delete('/auth/api-keys/:id', { schema: { tags, params: idParams, response: { 200: apiKey, ...errors } } }, (request) =>
    app.services.auth.revokeApiKey(me(request.actor?.userId), (request.params as { id: string }).id),
  );
}
