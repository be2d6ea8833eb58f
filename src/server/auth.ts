import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthError, type Actor } from '../services/auth.service.js';
import { isLocalRequest } from './local-request.js';
import { isPublicRoute } from './permissions.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | undefined;
  }
}

export const SESSION_COOKIE = 'oxy_session';

export interface AuthOptions {
  /** OXY_AUTH=none answers requests from the network too (--allow-remote-no-auth): an explicit opt-in. */
  allowRemoteNoAuth?: boolean;
}

/**
 * Resolves who each request acts as. OXY_AUTH=none: requests from this machine act as the local
 * owner account (created on first start; found, not created, under --readonly); requests from
 * the network get 401 unless the operator opted in. OXY_AUTH=password: an API key
 * (`Authorization: Bearer oxy_…`) or a stored session's cookie; anything else is 401 on routes
 * not public (`config.permission`), a disabled account 403. What the caller may then do is
 * permissions.ts's job.
 */
export async function installAuth(app: FastifyInstance, options: AuthOptions = {}): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('actor', undefined);
  const { auth, config } = app.services;
  if (config.auth === 'none') {
    const owner = app.readonlyMode ? await auth.findLocalOwner() : await auth.ensureLocalOwner();
    const local: Actor = { userId: String(owner.id), role: 'owner', via: 'local' };
    app.addHook('onRequest', async (request) => {
      if (options.allowRemoteNoAuth || isLocalRequest(request.ip, request.headers)) {
        request.actor = local;
        return;
      }
      if (isPublicRoute(request)) return;
      throw new AuthError(
        'unauthenticated',
        'this oxy runs OXY_AUTH=none, which serves only requests from its own machine; set OXY_AUTH=password on the server to sign in from elsewhere',
      );
    });
    return;
  }
  app.addHook('onRequest', async (request) => {
    const isPublic = isPublicRoute(request);
    // A stale cookie (an ended session) must not stand in the way of signing in again.
    request.actor = await resolveActor(app, request).catch((error: unknown) => {
      if (isPublic) return undefined;
      throw error;
    });
    if (!request.actor && !isPublic)
      throw new AuthError(
        'unauthenticated',
        'sign in first (POST /api/auth/login) or send an API key as Authorization: Bearer oxy_…',
      );
  });
}

async function resolveActor(app: FastifyInstance, request: FastifyRequest): Promise<Actor | undefined> {
  const header = request.headers.authorization;
  if (header) {
    const [scheme, key] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !key)
      throw new AuthError('invalid_api_key', 'use Authorization: Bearer oxy_…');
    return app.services.auth.actorForApiKey(key);
  }
  const session = request.cookies[SESSION_COOKIE];
  return session ? app.services.auth.actorForSession(session, { touch: !app.readonlyMode }) : undefined;
}
