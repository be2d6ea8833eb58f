import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { API_KEY_DEFAULT_DAYS, API_KEY_MAX_DAYS, type ApiKeyInput } from '../../services/api-key.service.js';
import { AuthError } from '../../services/auth.service.js';
import { SESSION_DAYS } from '../../services/session-token.js';
import { SESSION_COOKIE } from '../auth.js';
import { idParams } from '../entity-schemas.js';
import { signInLimitHooks, type SignInLimits } from '../sign-in-limits.js';

const errors = { 400: { $ref: 'error#' }, 401: { $ref: 'error#' }, 403: { $ref: 'error#' }, 404: { $ref: 'error#' } };
/** What the API shows of an API key (never the key); also used by api-keys.routes.ts. */
export const apiKey = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  workspace_id: Type.Union([Type.String(), Type.Null()]),
  prefix: Type.String(),
  expires_at: Type.Union([Type.String(), Type.Null()]),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
});
const signedIn = { permission: { signedIn: true } } as const;
/** A key limited to one workspace does not manage the account's other keys. */
const signedInUnscoped = { permission: { signedIn: true, scopedKeys: false } } as const;
const loginErrors = { ...errors, 429: { $ref: 'error#' } };

/** `/api/auth`: sign in and out, who am I, and API keys for scripts. */
export async function authRoutes(app: FastifyInstance, options: { signInLimits?: SignInLimits }): Promise<void> {
  const tags = ['auth'];
  const limits = await signInLimitHooks(app, options.signInLimits);
  const me = (actorId: string | undefined) => {
    if (!actorId) throw new AuthError('unauthenticated', 'sign in first');
    return actorId;
  };

  app.post(
    '/auth/login',
    {
      config: { permission: { public: true } },
      onRequest: limits.onRequest,
      preHandler: limits.preHandler,
      schema: {
        tags,
        body: Type.Object(
          { email: Type.String({ minLength: 1 }), password: Type.String({ minLength: 1 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ user: Type.Unsafe({ $ref: 'users.row#' }) }), ...loginErrors },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body as { email: string; password: string };
      const { user, token } = await app.services.auth.login(email, password);
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: request.protocol === 'https',
        maxAge: SESSION_DAYS * 86_400,
      });
      return { user };
    },
  );
  // Ends the stored session, so the cookie is worthless even if a copy of it is replayed.
  app.post('/auth/logout', { config: { permission: { public: true } }, schema: { tags } }, async (request, reply) => {
    await app.services.auth.logout(request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });
  app.get(
    '/auth/me',
    { config: signedIn, schema: { tags, response: { 200: { $ref: 'users.row#' }, ...errors } } },
    (request) => app.services.repo.get('users', me(request.actor?.userId)),
  );
  app.get(
    '/auth/api-keys',
    {
      config: signedInUnscoped,
      schema: { tags, response: { 200: Type.Object({ items: Type.Array(apiKey) }), ...errors } },
    },
    async (request) => ({
      items: await app.services.apiKeys.list(me(request.actor?.userId)),
    }),
  );
  app.post(
    '/auth/api-keys',
    {
      // A key cannot mint keys: a leaked key must not outlive its own expiry or revocation.
      config: { permission: { signedIn: true, apiKeys: false } },
      schema: {
        tags,
        body: Type.Object(
          {
            expires_at: Type.Optional(
              Type.Union([
                Type.String({
                  format: 'date-time',
                  description: `default ${API_KEY_DEFAULT_DAYS} days from now, at most ${API_KEY_MAX_DAYS}`,
                }),
                Type.Null(),
              ]),
            ),
            workspace_id: Type.Optional(
              Type.Union([
                Type.String({ format: 'uuid', description: 'limit the key to this workspace (you must be a member)' }),
                Type.Null(),
              ]),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            key: Type.String({ description: 'shown once' }),
            expires_at: Type.String(),
            workspace_id: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const input = (request.body ?? {}) as ApiKeyInput;
      if (input.workspace_id)
        await app.services.permissions.requireRow(request.access!, 'workspaces', input.workspace_id, 'viewer');
      return reply.status(201).send(await app.services.apiKeys.create(me(request.actor?.userId), input));
    },
  );
  app.delete(
    '/auth/api-keys/:id',
    { config: signedInUnscoped, schema: { tags, params: idParams, response: { 200: apiKey, ...errors } } },
    (request) => app.services.apiKeys.revoke((request.params as { id: string }).id, me(request.actor?.userId)),
  );
}
