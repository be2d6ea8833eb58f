import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import { VERSION } from '../version.js';
import { SESSION_COOKIE } from './auth.js';
import { strictSchema } from './input-rules.js';
import type { RoutePermission } from './permissions.js';

/** Callers prove who they are with the session cookie of POST /api/auth/login or an API key. */
export const SECURITY_SCHEMES = {
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'The session cookie set by POST /api/auth/login.',
  },
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from POST /api/auth/api-keys, sent as `Authorization: Bearer oxy_…`.',
  },
} as const;

const ERROR = { $ref: 'error#' };
/** Any request can be refused before its route runs (malformed, too large, unsupported type). */
const REFUSED = { '4XX': { description: 'The request was malformed or refused.', ...ERROR } };
const AUTH_ERRORS = {
  401: { description: 'Not signed in, or the session or API key is not valid.', ...ERROR },
  403: { description: 'Signed in, but not allowed to do this.', ...ERROR },
};

const VERBS: Record<string, string> = { GET: 'get', POST: 'create', PUT: 'replace', PATCH: 'update', DELETE: 'delete' };

const singular = (word: string) =>
  word.endsWith('ies') ? `${word.slice(0, -3)}y` : word.endsWith('ss') ? word : word.replace(/s$/, '');
const words = (segment: string) => segment.split(/[-_]/).filter(Boolean);
const camel = (parts: string[]) => parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join('');
const sentence = (parts: string[]) => parts.join(' ').replace(/^./, (c) => c.toUpperCase());

/**
 * `operationId` and `summary` from the method and the URL, for routes that do not name their
 * own: `GET /api/projects` → listProjects, `GET /api/runs/:id/steps` → listStepsOfRun,
 * `PATCH /api/runs/:id` → updateRun, `GET /api/auth/me` → getMe, `POST /api/auth/login` → login,
 * `POST /api/workspaces/:id/transfer` → transferWorkspace.
 * A segment that is neither a resource nor its id (`auth`) only groups and is left out.
 */
export function describeOperation(method: string, url: string): { operationId: string; summary: string } {
  const segments = url
    .replace(/^\/api\//, '')
    .split('/')
    .filter(Boolean);
  const onItem = segments[segments.length - 1]?.startsWith(':') ?? false;
  const nouns = segments.filter((s) => !s.startsWith(':'));
  const target = nouns[nouns.length - 1] ?? 'root';
  // Resources named before the target with their id: `threads/:id/messages` → of thread.
  const owners = segments.flatMap((s, i) =>
    !s.startsWith(':') && s !== target && segments[i + 1]?.startsWith(':') ? words(singular(s)) : [],
  );
  const of = owners.length ? ['of', ...owners] : [];
  const collection = !onItem && target.endsWith('s');
  let parts: string[];
  if (collection && method === 'GET') parts = ['list', ...words(target), ...of];
  else if (collection && method === 'POST')
    parts = ['create', ...words(singular(target)), ...(owners.length ? ['in', ...owners] : [])];
  else if (!onItem && method === 'POST') parts = [...words(target), ...owners];
  else parts = [VERBS[method] ?? method.toLowerCase(), ...words(onItem ? singular(target) : target), ...of];
  return { operationId: camel(parts), summary: sentence(parts) };
}

function withErrors(response: Record<string, unknown>, isPublic: boolean): Record<string, unknown> {
  const documented: Record<string, unknown> = isPublic ? { ...response } : { ...AUTH_ERRORS, ...response };
  const statuses = Object.keys(documented);
  // Without a documented answer Fastify's default would be a bare 200: keep saying it succeeds.
  if (!statuses.some((status) => status.startsWith('2'))) documented['2XX'] = { description: 'Success.' };
  if (!statuses.some((status) => status.startsWith('4'))) Object.assign(documented, REFUSED);
  return documented;
}

/** `users.row` → `UsersRow`, `error` → `Error`: component names a client generator turns into types. */
const componentName = (id: string) =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');

/**
 * The @fastify/swagger options: every route, whoever registers it, gets an operationId and a
 * summary, its security (none on public routes, `config.permission.public`, else session cookie or API key, with
 * 401/403 documented) and integers documented with their safe bounds.
 */
export function openapiOptions(): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'oxy API',
        version: VERSION,
        description: 'Agentic analytics: threads, agents, workflows, saved queries and charts.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/', description: 'the oxy server that serves this document' }],
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? componentName(json.$id) : `Schema${i}`,
    },
    transform({ schema, url, route }) {
      const methods = [route.method].flat();
      const described = describeOperation(methods[0] ?? 'GET', url);
      const given = (schema ?? {}) as FastifySchema & {
        operationId?: string;
        summary?: string;
        response?: Record<string, unknown>;
      };
      const isPublic =
        (route.config as { permission?: RoutePermission } | undefined)?.permission !== undefined &&
        'public' in (route.config as { permission: RoutePermission }).permission;
      const documented = strictSchema(given, true) as typeof given;
      return {
        url,
        schema: {
          ...documented,
          operationId: given.operationId ?? described.operationId,
          summary: given.summary ?? described.summary,
          security: isPublic ? [] : [{ session: [] }, { apiKey: [] }],
          response: withErrors(given.response ?? {}, isPublic),
        } as FastifySchema,
      };
    },
  };
}
