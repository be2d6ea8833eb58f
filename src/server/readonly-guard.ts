import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A non-GET route that changes nothing stored, so --readonly lets it through. */
    readonlyExempt?: boolean;
  }
}

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `--readonly`: every request that could change data is refused with 403 `read_only`, before
 * validation or authentication run; reads keep working. Signing in and out are refused too:
 * they write sessions. A route that writes nothing although it is not a GET says so with
 * `config: { readonlyExempt: true }`.
 */
export function installReadonlyGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    if (request.routeOptions.config?.readonlyExempt) return;
    return reply.status(403).send({
      error: {
        code: 'read_only',
        message: 'this oxy server is read-only; restart it without --readonly to make changes',
      },
    });
  });
}
