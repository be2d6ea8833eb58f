import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TableName, WorkspaceRole } from '../db/entities.js';
import type { RowValues } from '../repositories/entity.repository.js';
import { AuthError } from '../services/auth.service.js';
import { ForbiddenError, instanceRoleAtLeast, type Access } from '../services/permission.service.js';

/**
 * What a route requires, declared in its Fastify `config.permission` (one fact per route, no
 * list of paths): a route without one cannot be registered.
 * - `public`: anyone, signed in or not (health, sign-in).
 * - `signedIn`: any signed-in user acting on their own things; `apiKeys: false` refuses requests
 *   authenticated by an API key (a key cannot mint keys), `scopedKeys: false` those by a key
 *   limited to one workspace (it cannot create another).
 * - `instance`: an instance role at least this strong (managing users and keys).
 * - `workspace`: a workspace role at least this strong on the workspace the row belongs to;
 *   `target` says where the row is: `row` (`:id` names a row of `table`), `create` (the body's
 *   reference to its parent), `list` (no row: the list is filtered to what the caller may see).
 */
export type RoutePermission =
  | { readonly public: true }
  | { readonly signedIn: true; readonly apiKeys?: false; readonly scopedKeys?: false }
  | { readonly instance: 'owner' | 'admin'; readonly apiKeys?: false; readonly scopedKeys?: false }
  | { readonly workspace: WorkspaceRole; readonly table: TableName; readonly target: 'row' | 'create' | 'list' };

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: RoutePermission;
  }
  interface FastifyRequest {
    /** What the caller may reach; set for every signed-in request. */
    access: Access | undefined;
  }
}

export function routePermission(request: FastifyRequest): RoutePermission | undefined {
  return (request.routeOptions.config as { permission?: RoutePermission } | undefined)?.permission;
}

/** True for routes anyone may call. */
export function isPublicRoute(request: FastifyRequest): boolean {
  const permission = routePermission(request);
  return permission !== undefined && 'public' in permission;
}

/**
 * Refuses to register a route that declares no permission, and checks every request against its
 * route's permission after validation (so ids and bodies are well-formed) and before the handler.
 */
export function installPermissions(app: FastifyInstance): void {
  app.decorateRequest('access', undefined);
  app.addHook('onRoute', (route) => {
    if (!(route.config as { permission?: RoutePermission } | undefined)?.permission) {
      throw new Error(
        `route ${String(route.method)} ${route.url} declares no permission: set config.permission (src/server/permissions.ts)`,
      );
    }
  });
  app.addHook('preHandler', async (request) => {
    if (request.is404) return;
    const permission = routePermission(request);
    if (request.actor) request.access = app.services.permissions.accessOf(request.actor);
    if (permission && 'public' in permission) return;
    const access = request.access;
    if (!access || !permission)
      throw new AuthError(
        'unauthenticated',
        'sign in first (POST /api/auth/login) or send an API key as Authorization: Bearer oxy_…',
      );
    await check(app, request, permission, access);
  });
}

async function check(
  app: FastifyInstance,
  request: FastifyRequest,
  permission: RoutePermission,
  access: Access,
): Promise<void> {
  const { permissions } = app.services;
  if ('public' in permission) return;
  if ('signedIn' in permission) {
    if (permission.apiKeys === false && request.actor?.via === 'api_key') {
      throw new ForbiddenError(
        'an API key cannot do this',
        'sign in with your password (POST /api/auth/login) to manage API keys',
      );
    }
    if (permission.scopedKeys === false && access.onlyWorkspace)
      throw new ForbiddenError(`this API key may act only in workspace ${access.onlyWorkspace}`);
    return;
  }
  if ('instance' in permission) {
    // A key must not mint lasting credentials (an account, a password, an invitation) any more
    // than it may mint keys.
    if (permission.apiKeys === false && request.actor?.via === 'api_key') {
      throw new ForbiddenError(
        'an API key cannot manage accounts',
        'sign in with your password (POST /api/auth/login) to create or change users',
      );
    }
    if (permission.scopedKeys === false && access.onlyWorkspace)
      throw new ForbiddenError(`this API key may act only in workspace ${access.onlyWorkspace}`);
    if (!instanceRoleAtLeast(access.instanceRole, permission.instance)) {
      throw new ForbiddenError(
        `only instance ${permission.instance === 'owner' ? 'owners' : 'owners and admins'} may do this`,
      );
    }
    return;
  }
  const body = request.body && typeof request.body === 'object' ? (request.body as RowValues) : {};
  if (permission.target === 'list') return;
  if (permission.target === 'create') {
    const workspaceId = await permissions.requireCreate(access, permission.table, body, permission.workspace);
    await permissions.requireReferences(access, permission.table, body, workspaceId);
    return;
  }
  const workspaceId = await permissions.requireRow(
    access,
    permission.table,
    (request.params as { id: string }).id,
    permission.workspace,
  );
  await permissions.requireReferences(access, permission.table, body, workspaceId);
}
