import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { PASSWORD_MIN } from '../../services/user.service.js';
import { SESSION_COOKIE } from '../auth.js';
import { passwordChangeLimitHook, type SignInLimits } from '../sign-in-limits.js';

const errors = { 400: { $ref: 'error#' }, 401: { $ref: 'error#' }, 403: { $ref: 'error#' }, 429: { $ref: 'error#' } };

/** `/api/auth/password` (change your own) and `/api/auth/invitations/accept` (set the first one). */
export async function accountRoutes(app: FastifyInstance, options: { signInLimits?: SignInLimits }): Promise<void> {
  const tags = ['auth'];
  const limit = await passwordChangeLimitHook(app, options.signInLimits);
  app.post(
    '/auth/password',
    {
      config: { permission: { signedIn: true, apiKeys: false } },
      preHandler: limit,
      schema: {
        tags,
        body: Type.Object(
          { current_password: Type.String({ minLength: 1 }), new_password: Type.String({ minLength: PASSWORD_MIN }) },
          { additionalProperties: false },
        ),
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (req, reply) => {
      const body = req.body as { current_password: string; new_password: string };
      await app.services.users.changePassword(
        req.actor!.userId,
        body.current_password,
        body.new_password,
        req.cookies[SESSION_COOKIE],
      );
      return reply.status(204).send();
    },
  );
  app.post(
    '/auth/invitations/accept',
    {
      config: { permission: { public: true } },
      schema: {
        tags,
        body: Type.Object(
          { token: Type.String({ minLength: 1 }), password: Type.String({ minLength: PASSWORD_MIN }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ user: Type.Unsafe({ $ref: 'users.row#' }) }), ...errors },
      },
    },
    async (req) => {
      const body = req.body as { token: string; password: string };
      return { user: await app.services.users.acceptInvitation(body.token, body.password) };
    },
  );
}
