import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthError, type Actor } from '../services/auth.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | undefined;
  }
}

export const SESSION_COOKIE = 'oxy_session';

/**
 * Resolves who each request acts as. OXY_AUTH=none: the local owner account, created on first
 * start. OXY_AUTH=password: an API key (`Authorization: Bearer oxy_…`) or a signed session
 * cookie; anything else is 401, a disabled account 403. Members may not manage users.
 */
export async function installAuth(app: FastifyInstance): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('actor', undefined);
  const { auth, config } = app.services;
  if (config.auth === 'none') {
    const owner = await auth.ensureLocalOwner();
    const local: Actor = { userId: String(owner.id), role: 'owner', via: 'local' };
    app.addHook('onRequest', async (request) => {
      request.actor = local;
    });
    return;
  }
  app.addHook('onRequest', async (request) => {
    request.actor = await resolveActor(app, request);
    if (!request.actor && !request.routeOptions.config.public) throw new AuthError('unauthenticated', 'sign in first (POST /api/auth/login) or send an API key as Authorization: Bearer oxy_…');
    if (request.actor?.role === 'member' && request.method !== 'GET' && (request.routeOptions.url ?? '').startsWith('/api/users')) {
      throw new AuthError('forbidden', 'only owners and admins manage users');
    }
  });
}

async function resolveActor(app: FastifyInstance, request: FastifyRequest): Promise<Actor | undefined> {
  const header = request.headers.authorization;
  if (header) {
    const [scheme, key] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !key) throw new AuthError('invalid_api_key', 'use Authorization: Bearer oxy_…');
    return app.services.auth.actorForApiKey(key);
  }
  const session = request.cookies[SESSION_COOKIE];
  return session ? app.services.auth.actorForSession(session) : undefined;
}
