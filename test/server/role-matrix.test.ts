import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityByTable, type TableName } from '../../src/db/entities.js';
import { workspaceTables } from '../../src/db/workspace-path.js';
import type { RoutePermission } from '../../src/server/permissions.js';
import { BACKENDS, tempDir } from '../support/backends.js';
import { FixedResultChartData } from '../support/fixed-chart-data.js';
import { testApp, type TestApp } from '../support/app.js';
import { PASSWORD, PERSONAS, RoleFixture, patchBody, unique, type Persona } from '../support/role-fixture.js';

/**
 * Every route of the app × every role, on both backends. The routes come from the app's own route
 * table and the expected answer from each route's declared permission; a route this file cannot
 * build a request for fails, so a new route cannot escape the matrix.
 */

type Route = { method: string; url: string; permission?: RoutePermission };
interface Request {
  url: string;
  payload?: object;
  /** Another session than the persona's (signing out ends one). */
  cookie?: string;
  /** The status when the permission allows the call. */
  ok: number;
}
type Recipe = (f: RoleFixture, who: Persona) => Promise<Request>;

// Charts draw the rows of a stand-in for the connectors' SQL service (not merged yet).
const PASSWORD_MODE = { env: { OXY_AUTH: 'password' }, chartData: new FixedResultChartData() };

// The route table, read from the app itself (built once here on SQLite; each backend's app is
// checked to have the same table).
const ROUTES: Route[] = await (async () => {
  const t = await testApp('sqlite', PASSWORD_MODE);
  try {
    return t.app.routeTable.map((r) => ({ ...r }));
  } finally {
    await t.close();
  }
})();

/** A DuckDB database (an empty dataset folder) in the shared project: `select 1` runs on it. */
const dataDir = tempDir('oxy-role-matrix-data-');
const runnableDatabase = async (f: RoleFixture) =>
  String(
    (
      await f.services.repo.insert('databases', {
        project_id: f.shared.projects,
        name: unique(),
        kind: 'duckdb',
        config: { dataset: dataDir },
      })
    ).id,
  );

const newUser = async (f: RoleFixture) => String((await f.user()).id);
const ownKey = async (f: RoleFixture, who: Persona) => (await f.services.apiKeys.create(f.person(who.name).id, {})).id;

/** Routes whose requests are not derived from their permission alone. */
const RECIPES: Record<string, Recipe> = {
  'GET /api/live': async () => ({ url: '/api/live', ok: 200 }),
  'GET /api/ready': async () => ({ url: '/api/ready', ok: 200 }),
  'GET /api/health': async () => ({ url: '/api/health', ok: 200 }),
  'GET /api/about': async () => ({ url: '/api/about', ok: 200 }),
  'GET /api/status': async () => ({ url: '/api/status', ok: 200 }),
  'GET /api/openapi.json': async () => ({ url: '/api/openapi.json', ok: 200 }),
  'POST /api/auth/login': async (f, who) => ({
    url: '/api/auth/login',
    payload: { email: f.person(who.name).email, password: PASSWORD },
    ok: 200,
  }),
  'POST /api/auth/logout': async (f, who) => ({
    url: '/api/auth/logout',
    cookie: await f.signIn(f.person(who.name).email),
    ok: 204,
  }),
  'GET /api/auth/me': async () => ({ url: '/api/auth/me', ok: 200 }),
  'POST /api/auth/password': async () => ({
    url: '/api/auth/password',
    payload: { current_password: PASSWORD, new_password: PASSWORD },
    ok: 204,
  }),
  'POST /api/auth/invitations/accept': async (f) => {
    const { invitation } = await f.services.users.create(
      { userId: f.person('instance owner').id, instanceRole: 'owner', everyWorkspace: false },
      { email: `${unique()}@example.com` },
    );
    return { url: '/api/auth/invitations/accept', payload: { token: invitation!.token, password: PASSWORD }, ok: 200 };
  },
  'GET /api/auth/api-keys': async () => ({ url: '/api/auth/api-keys', ok: 200 }),
  'POST /api/auth/api-keys': async () => ({ url: '/api/auth/api-keys', payload: {}, ok: 201 }),
  'DELETE /api/auth/api-keys/:id': async (f, who) => ({ url: `/api/auth/api-keys/${await ownKey(f, who)}`, ok: 200 }),
  'GET /api/api-keys': async () => ({ url: '/api/api-keys', ok: 200 }),
  'DELETE /api/api-keys/:id': async (f) => ({
    url: `/api/api-keys/${await ownKey(
      f,
      PERSONAS.find((p) => p.workspace === 'viewer')!,
    )}`,
    ok: 200,
  }),
  'GET /api/users': async () => ({ url: '/api/users', ok: 200 }),
  'GET /api/users/:id': async (f) => ({ url: `/api/users/${f.shared.users}`, ok: 200 }),
  'GET /api/users/:id/workspace_members': async (f) => ({
    url: `/api/users/${f.shared.users}/workspace_members`,
    ok: 200,
  }),
  'POST /api/users': async () => ({
    url: '/api/users',
    payload: { email: `${unique()}@example.com`, name: 'New', role: 'member', password: PASSWORD },
    ok: 201,
  }),
  'PATCH /api/users/:id': async (f) => ({
    url: `/api/users/${await newUser(f)}`,
    payload: { name: 'Renamed' },
    ok: 200,
  }),
  'DELETE /api/users/:id': async (f) => ({ url: `/api/users/${await newUser(f)}`, ok: 204 }),
  'POST /api/users/:id/invitation': async (f) => ({ url: `/api/users/${await newUser(f)}/invitation`, ok: 201 }),
  'POST /api/workspaces': async () => ({ url: '/api/workspaces', payload: { name: 'New', slug: unique() }, ok: 201 }),
  'POST /api/workspaces/:id/members': async (f) => ({
    url: `/api/workspaces/${await f.workspace()}/members`,
    payload: { user_id: await newUser(f), role: 'viewer' },
    ok: 201,
  }),
  'PATCH /api/workspaces/:id/members/:user_id': async (f) => {
    const ws = await f.workspace();
    const user = await newUser(f);
    await f.services.workspaces.addMember(ws, { user_id: user, role: 'viewer' });
    return { url: `/api/workspaces/${ws}/members/${user}`, payload: { role: 'editor' }, ok: 200 };
  },
  'DELETE /api/workspaces/:id/members/:user_id': async (f) => {
    const ws = await f.workspace();
    const user = await newUser(f);
    await f.services.workspaces.addMember(ws, { user_id: user, role: 'viewer' });
    return { url: `/api/workspaces/${ws}/members/${user}`, ok: 204 };
  },
  'POST /api/databases/:id/test': async (f) => ({ url: `/api/databases/${f.shared.databases}/test`, ok: 200 }),
  'POST /api/projects/:id/sql': async (f) => ({
    url: `/api/projects/${f.shared.projects}/sql`,
    payload: { database: await runnableDatabase(f), sql: 'select 1' },
    ok: 200,
  }),
  'POST /api/projects/:id/sql.csv': async (f) => ({
    url: `/api/projects/${f.shared.projects}/sql.csv`,
    payload: { database: await runnableDatabase(f), sql: 'select 1' },
    ok: 200,
  }),
  'GET /api/queries/:id/results.csv': async (f) => {
    const query = await f.services.repo.insert('queries', {
      project_id: f.shared.projects,
      database_id: await runnableDatabase(f),
      name: unique(),
      sql: 'select 1',
    });
    return { url: `/api/queries/${String(query.id)}/results.csv`, ok: 200 };
  },
  'POST /api/queries/:id/run': async (f) => {
    const query = await f.services.repo.insert('queries', {
      project_id: f.shared.projects,
      database_id: await runnableDatabase(f),
      name: unique(),
      sql: 'select 1',
    });
    return { url: `/api/queries/${String(query.id)}/run`, ok: 200 };
  },
  // Users write only descriptions in the catalog.
  'PATCH /api/datasets/:id': async (f) => ({
    url: `/api/datasets/${await f.row('datasets', f.workspaceId)}`,
    payload: { description: 'described' },
    ok: 200,
  }),
  'PATCH /api/tables/:id': async (f) => ({
    url: `/api/tables/${await f.row('tables', f.workspaceId)}`,
    payload: { description: 'described' },
    ok: 200,
  }),
  'PATCH /api/columns/:id': async (f) => ({
    url: `/api/columns/${await f.row('columns', f.workspaceId)}`,
    payload: { description: 'described' },
    ok: 200,
  }),
  'POST /api/jobs/:id/cancel': async (f) => ({
    url: `/api/jobs/${await f.row('jobs', f.workspaceId)}/cancel`,
    ok: 200,
  }),
  'POST /api/databases/:id/sync': async (f) => ({ url: `/api/databases/${f.shared.databases}/sync`, ok: 202 }),
  'POST /api/projects/:id/workflows/validate': async (f) => ({
    url: `/api/projects/${f.shared.projects}/workflows/validate`,
    payload: { definition: 'tasks: [{name: a, type: execute_sql}]' },
    ok: 200,
  }),
  'POST /api/workflows/:id/runs': async (f) => ({
    url: `/api/workflows/${await f.row('workflows', f.workspaceId)}/runs`,
    payload: {},
    ok: 202,
  }),
  'POST /api/runs/:id/cancel': async (f) => ({
    url: `/api/runs/${await f.row('runs', f.workspaceId)}/cancel`,
    ok: 200,
  }),
  'POST /api/runs/:id/retry': async (f) => {
    const run = await f.row('runs', f.workspaceId);
    await f.services.repo.update('runs', run, { status: 'failed' });
    return { url: `/api/runs/${run}/retry`, ok: 202 };
  },
  // A finished run: its event stream ends at once.
  'GET /api/runs/:id/events': async (f) => {
    const run = await f.row('runs', f.workspaceId);
    await f.services.repo.update('runs', run, { status: 'succeeded' });
    return { url: `/api/runs/${run}/events`, ok: 200 };
  },
  // A thread with an agent that names no model: the turn streams its error, the answer is 200.
  'POST /api/threads/:id/messages': async (f) => {
    const thread = await f.row('threads', f.workspaceId);
    const agent = await f.row('agents', f.workspaceId);
    await f.services.repo.update('threads', thread, { agent_id: agent });
    return { url: `/api/threads/${thread}/messages`, payload: { content: 'which store sold the most?' }, ok: 200 };
  },
  // No turn: the stream ends at once.
  'GET /api/threads/:id/events': async (f) => ({
    url: `/api/threads/${await f.row('threads', f.workspaceId)}/events`,
    ok: 200,
  }),
  // A thread answering nothing: allowed callers learn there is nothing to stop.
  'POST /api/threads/:id/stop': async (f) => ({
    url: `/api/threads/${await f.row('threads', f.workspaceId)}/stop`,
    ok: 409,
  }),
  'POST /api/workspaces/:id/transfer': async (f) => ({
    url: `/api/workspaces/${await f.workspace()}/transfer`,
    payload: { user_id: f.person('workspace admin').id },
    ok: 200,
  }),
};

/** The request for a route on workspace rows, from its permission: a shared row to read, a new one to change. */
function workspaceRecipe(route: Route): Recipe | undefined {
  const permission = route.permission;
  if (!permission || !('workspace' in permission)) return undefined;
  const { table, target } = permission;
  const method = route.method === 'HEAD' ? 'GET' : route.method;
  if (target === 'list' && method === 'GET') return async () => ({ url: route.url, ok: 200 });
  if (target === 'create' && method === 'POST')
    return async (f) => ({ url: route.url, payload: await f.createBody(table, f.workspaceId), ok: 201 });
  if (target !== 'row' || (route.url.match(/:\w+/g) ?? []).length !== 1) return undefined;
  if (method === 'GET') return async (f) => ({ url: route.url.replace(':id', f.shared[table]!), ok: 200 });
  if (method === 'PATCH')
    return async (f) => ({
      url: route.url.replace(':id', await f.row(table as TableName, f.workspaceId)),
      payload: patchBody(table),
      ok: 200,
    });
  if (method === 'DELETE')
    return async (f) => ({ url: route.url.replace(':id', await f.row(table as TableName, f.workspaceId)), ok: 204 });
  return undefined;
}

function recipeFor(route: Route): Recipe | undefined {
  const key = `${route.method === 'HEAD' ? 'GET' : route.method} ${route.url}`;
  return RECIPES[key] ?? workspaceRecipe(route);
}

const INSTANCE = ['member', 'admin', 'owner'];
const WORKSPACE = ['viewer', 'editor', 'admin', 'owner'];

/**
 * What `who` gets from a route with `permission`: `ok` when allowed; 403 for a role too weak to do
 * what it can see; 404 for a row of a workspace it is not in (409 when that row is the parent of
 * a row being created: the same answer as for a parent that does not exist).
 */
function expected(permission: RoutePermission, who: Persona, ok: number): number {
  if ('public' in permission || 'signedIn' in permission) return ok;
  if ('instance' in permission)
    return INSTANCE.indexOf(who.instance) >= INSTANCE.indexOf(permission.instance) ? ok : 403;
  if (permission.target === 'list') return ok;
  if (!who.workspace) return permission.target === 'create' ? 409 : 404;
  return WORKSPACE.indexOf(who.workspace) >= WORKSPACE.indexOf(permission.workspace) ? ok : 403;
}

/** The expected status when allowed, for naming the tests before any request is built. */
function okStatus(route: Route): number {
  if (route.method === 'DELETE') return 204;
  if (route.method === 'POST') return 201;
  return 200;
}

for (const backend of BACKENDS) {
  describe(`role matrix (${backend})`, () => {
    let t: TestApp;
    let f: RoleFixture;

    beforeAll(async () => {
      t = await testApp(backend, PASSWORD_MODE);
      f = new RoleFixture(t);
      await f.setUp();
    });
    afterAll(async () => {
      await t.close();
    });

    it('has the route table the matrix was generated from, every route with a declared permission', () => {
      expect(t.app.routeTable).toEqual(ROUTES);
      expect(ROUTES.filter((r) => !r.permission)).toEqual([]);
    });

    // Server-internal tables (a run's event log) have no list route: their rows reach users through their owner's routes.
    for (const table of workspaceTables().filter((name) => entityByTable(name).api !== 'none')) {
      it(`lists the ${table} row of a workspace to its viewer, and not to a non-member`, async () => {
        const list = async (who: string) =>
          (await t.app.inject({ url: `/api/${table}?limit=500`, headers: { cookie: f.person(who).cookie } }))
            .json()
            .items.map((r: { id: string }) => r.id);
        expect(await list('workspace viewer')).toContain(f.shared[table as TableName]);
        expect(await list('non-member')).not.toContain(f.shared[table as TableName]);
      });
    }

    for (const route of ROUTES) {
      describe(`${route.method} ${route.url}`, () => {
        it('has a request in the matrix', () => {
          expect(
            recipeFor(route),
            `add a recipe for ${route.method} ${route.url} to test/server/role-matrix.test.ts`,
          ).toBeDefined();
        });
        for (const who of PERSONAS) {
          const permission = route.permission ?? { public: true };
          it(`${who.name}: ${expected(permission, who, okStatus(route)) === okStatus(route) ? 'allowed' : expected(permission, who, okStatus(route))}`, async () => {
            const recipe = recipeFor(route);
            expect(recipe, `no recipe for ${route.method} ${route.url}`).toBeDefined();
            const request = await recipe!(f, who);
            const res = await t.app.inject({
              method: route.method as 'GET',
              url: request.url,
              headers: { cookie: request.cookie ?? f.person(who.name).cookie },
              ...(request.payload ? { payload: request.payload } : {}),
            });
            expect(res.statusCode, `${route.method} ${request.url}: ${res.body.slice(0, 300)}`).toBe(
              expected(route.permission!, who, request.ok),
            );
          });
        }
      });
    }
  });
}
