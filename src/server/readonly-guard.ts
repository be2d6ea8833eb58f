import type { FastifyInstance } from 'fastify';

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Routes that change no application data although they are not GETs (logging in). */
export const READONLY_EXEMPT = new Set(['POST /api/auth/login', 'POST /api/auth/logout']);

/**
 * `--readonly`: every request that could change data is refused with 403 `read_only`, before
 * validation or authentication run; reads keep working.
 */
export function installReadonlyGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    if (READONLY_EXEMPT.has(`${request.method} ${request.routeOptions.url ?? ''}`)) return;
    return reply.status(403).send({
      error: { code: 'read_only', message: 'this oxy server is read-only; restart it without --readonly to make changes' },
    });
  });
}
