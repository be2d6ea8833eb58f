import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppServices } from '../services/app-services.js';
import { installAuth } from './auth.js';
import type { SignInLimits } from './sign-in-limits.js';
import { registerSharedSchemas } from './entity-schemas.js';
import { frameworkErrors, installErrorHandler } from './error-handler.js';
import { openapiOptions } from './openapi.js';
import { installReadonlyGuard } from './readonly-guard.js';
import { installUtf8BodyParsers } from './utf8-body.js';
import { buildValidator } from './validator-compiler.js';
import { chartRoutes } from './routes/charts.routes.js';
import { entityRoutes } from './routes/entities.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { statusRoutes } from './routes/status.routes.js';
import { secretRoutes } from './routes/secrets.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { accountRoutes } from './routes/account.routes.js';
import { apiKeyRoutes } from './routes/api-keys.routes.js';
import { memberRoutes } from './routes/members.routes.js';
import { userRoutes } from './routes/users.routes.js';
import { sqlRoutes } from './routes/sql.routes.js';
import { catalogRoutes } from './routes/catalog.routes.js';
import { jobRoutes } from './routes/jobs.routes.js';
import { runRoutes } from './routes/runs.routes.js';
import { workflowRoutes } from './routes/workflows.routes.js';
import { threadRoutes } from './routes/threads.routes.js';
import { defaultWebRoot, installWebApp } from './web-app.js';
import { installPermissions, type RoutePermission } from './permissions.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
    /** Every (method, url) registered, in order, with its declared permission: what the read-only and role-matrix tests walk. */
    routeTable: { method: string; url: string; permission?: RoutePermission; readonlyExempt?: true }[];
    /** Set by a graceful shutdown: answer what is in flight, then close each connection. */
    shuttingDown: boolean;
    /** Started with --readonly. */
    readonlyMode: boolean;
  }
}

export interface AppOptions {
  readonly?: boolean;
  /** Fastify logger setting; off in tests, pino to stderr when serving. */
  logger?: FastifyServerOptions['logger'];
  /** Extra server options for the transport (HTTP/2, TLS), set by `oxy serve`. */
  server?: Partial<FastifyServerOptions> & Record<string, unknown>;
  /** OXY_AUTH=none also serves requests from the network (--allow-remote-no-auth). */
  allowRemoteNoAuth?: boolean;
  /** Sign-in rate limits; the defaults unless a test needs smaller ones. */
  signInLimits?: SignInLimits;
  /** The built web app's folder (default `dist/web`); false serves the API only. */
  webRoot?: string | false;
}

/**
 * The Content-Security-Policy for a same-origin single-page app: scripts, styles, fonts and API
 * calls from this origin only, no inline script, images also as data: URLs, never framed.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Headers never logged: credentials. */
export const REDACTED = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

/**
 * Builds the configured Fastify app without listening; `oxy serve` calls listen, tests inject.
 *
 * @example
 * const app = await buildApp(services, { readonly: true });
 * const res = await app.inject({ url: '/api/health' });
 */
export async function buildApp(services: AppServices, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    schemaController: { compilersFactory: { buildValidator } },
    frameworkErrors,
    bodyLimit: 10 * 1024 * 1024,
    ...(options.server ?? {}),
  } as FastifyServerOptions) as unknown as FastifyInstance;
  app.decorate('services', services);
  app.decorate('routeTable', []);
  app.decorate('shuttingDown', false);
  app.decorate('readonlyMode', Boolean(options.readonly));
  // Fastify's close() waits for every connection to end; a keep-alive connection that was busy
  // when it began would otherwise stay open until its timeout. Tell HTTP/1.1 clients to hang up.
  app.addHook('onSend', async (request, reply) => {
    if (app.shuttingDown && request.raw.httpVersionMajor === 1) reply.header('connection', 'close');
  });
  app.addHook('onRoute', (route) => {
    const config = route.config as { permission?: RoutePermission; readonlyExempt?: boolean } | undefined;
    const permission = config?.permission;
    for (const method of [route.method].flat())
      app.routeTable.push({
        method,
        url: route.url,
        ...(permission ? { permission } : {}),
        ...(config?.readonlyExempt ? { readonlyExempt: true as const } : {}),
      });
  });
  // The user databases' pools close with the server.
  app.addHook('onClose', () => services.connectors.closeAll());
  // Turns end with the server (what was said is kept); a server starting releases the turns of dead ones.
  app.addHook('preClose', () => services.threads.close());
  if (!options.readonly)
    app.addHook('onReady', async () => {
      // Best effort: a database that is down now must not keep the server from answering /live and a 503 /ready.
      await services.threads.releaseAbandoned().catch((error: unknown) => {
        app.log.warn({ err: error }, 'could not release the turns of dead servers; the next start will');
      });
    });
  installErrorHandler(app);
  installUtf8BodyParsers(app);
  // First, so that refusals (read-only, 401) carry the security headers too.
  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY } });
  if (options.readonly) installReadonlyGuard(app);
  await installAuth(app, { allowRemoteNoAuth: Boolean(options.allowRemoteNoAuth) });
  installPermissions(app);
  await app.register(swagger, openapiOptions());
  registerSharedSchemas(app);
  await app.register(
    async (api) => {
      await api.register(healthRoutes);
      await api.register(statusRoutes);
      await api.register(entityRoutes);
      await api.register(chartRoutes);
      await api.register(secretRoutes);
      await api.register(authRoutes, options.signInLimits ? { signInLimits: options.signInLimits } : {});
      await api.register(accountRoutes, options.signInLimits ? { signInLimits: options.signInLimits } : {});
      await api.register(userRoutes);
      await api.register(memberRoutes);
      await api.register(apiKeyRoutes);
      await api.register(sqlRoutes);
      await api.register(catalogRoutes);
      await api.register(jobRoutes);
      await api.register(runRoutes);
      await api.register(workflowRoutes);
      await api.register(threadRoutes);
      api.get('/openapi.json', { config: { permission: { public: true } }, schema: { hide: true } }, async () =>
        app.swagger(),
      );
    },
    { prefix: '/api' },
  );
  if (options.webRoot !== false) await installWebApp(app, options.webRoot ?? defaultWebRoot());
  return app;
}
