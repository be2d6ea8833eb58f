import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { idParams } from '../entity-schemas.js';
import { apiKey } from './auth.routes.js';

const errors = { 400: { $ref: 'error#' }, 403: { $ref: 'error#' }, 404: { $ref: 'error#' } };
const admins = { permission: { instance: 'admin' } } as const;

/** `/api/api-keys`: instance owners and admins list and revoke anyone's API keys. */
export async function apiKeyRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['auth'];
  app.get(
    '/api-keys',
    {
      config: admins,
      schema: {
        tags,
        operationId: 'listAnyonesApiKeys',
        summary: "List every user's API keys (instance admins)",
        querystring: Type.Object(
          { user_id: Type.Optional(Type.String({ format: 'uuid' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(apiKey) }), ...errors },
      },
    },
    async (req) => ({ items: await app.services.apiKeys.list((req.query as { user_id?: string }).user_id) }),
  );
  app.delete(
    '/api-keys/:id',
    {
      config: admins,
      schema: {
        tags,
        operationId: 'revokeAnyonesApiKey',
        summary: "Revoke any user's API key (instance admins)",
        params: idParams,
        response: { 200: apiKey, ...errors },
      },
    },
    (req) => app.services.apiKeys.revoke((req.params as { id: string }).id, undefined),
  );
}
