import type { FastifyInstance } from 'fastify';
import type { Actor } from '../services/auth.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | undefined;
  }
}

/**
 * Resolves who each request acts as. OXY_AUTH=none: the local owner account, created on first
 * start.
 */
export async function installAuth(app: FastifyInstance): Promise<void> {
  const owner = await app.services.auth.ensureLocalOwner();
  const local: Actor = { userId: String(owner.id), role: 'owner', via: 'local' };
  app.decorateRequest('actor', undefined);
  app.addHook('onRequest', async (request) => {
    request.actor = local;
  });
}
