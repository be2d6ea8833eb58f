import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { entities, type EntityDef } from '../../src/db/entities.js';
import { BACKENDS, type Backend } from '../support/backends.js';
import { FixedResultChartData } from '../support/fixed-chart-data.js';
import { SAMPLE_CHART_SPEC } from '../support/role-fixture.js';
import { testApp, type TestApp } from '../support/app.js';
import {
  anyJson,
  materialize,
  percentEncode,
  SchemaArbitraries,
  toJsonText,
  type Schema,
} from '../support/input-arbitrary.js';

/**
 * Generated input for every route of the route table, sent to both backends in lockstep: both
 * must answer with the same status, and neither with a 5xx. A failure prints fast-check's seed
 * and counterexample; rerun it with OXY_FUZZ_SEED (and more runs with OXY_FUZZ_RUNS).
 */
const SEED = Number(process.env.OXY_FUZZ_SEED ?? 20260901);
const RUNS = Number(process.env.OXY_FUZZ_RUNS ?? 40);

/**
 * One row of each entity users manage, created in the same order on each backend: the ids inputs
 * refer to. Made afresh for each route (`n` keeps unique names apart), since a route may delete them.
 */
async function createFixtures(t: TestApp, n: number): Promise<{ ids: string[]; tables: string[] }> {
  const ids: string[] = [];
  const tables: string[] = [];
  const post = async (url: string, payload: object) => {
    const res = await t.app.inject({ method: 'POST', url, payload });
    if (res.statusCode !== 201) throw new Error(`fixture ${url}: ${res.body}`);
    const id = (res.json() as { id: string }).id;
    ids.push(id);
    tables.push(url.replace(/^\/api\//, ''));
    return id;
  };
  ids.push(String((await t.services.auth.ensureLocalOwner()).id));
  tables.push('users');
  await post('/api/users', { email: `ada${n}@example.com`, name: 'Ada' });
  const workspace = await post('/api/workspaces', { name: 'W', slug: `w${n}` });
  const project = await post('/api/projects', { workspace_id: workspace, name: 'p' });
  const database = await post('/api/databases', {
    project_id: project,
    name: 'd',
    kind: 'duckdb',
    config: { dataset: '/data' },
  });
  const workflow = await post('/api/workflows', {
    project_id: project,
    name: 'wf',
    definition: 'name: wf\ntasks:\n  - name: t\n    type: formatter\n    template: hi\n',
  });
  const agent = await post('/api/agents', {
    project_id: project,
    database_id: database,
    name: 'a',
    definition: 'model: m\n',
  });
  const thread = await post('/api/threads', { project_id: project, agent_id: agent, title: 't' });
  await post('/api/messages', { thread_id: thread, role: 'user', content: 'hi' });
  // Runs and steps are written by the run service, not posted: insert them as it would.
  const inserted = async (table: 'runs' | 'run_steps', values: Record<string, unknown>) => {
    const id = String((await t.services.repo.insert(table, values)).id);
    ids.push(id);
    tables.push(table);
    return id;
  };
  // Finished, so its event stream (GET /api/runs/:id/events) ends once replayed.
  const run = await inserted('runs', { workflow_id: workflow, thread_id: thread, run_index: 1, status: 'succeeded' });
  await inserted('run_steps', { run_id: run, step_index: 0, name: 's' });
  await post('/api/charts', { project_id: project, run_id: run, title: 'c', spec: SAMPLE_CHART_SPEC });
  await post('/api/queries', { project_id: project, name: 'q', sql: 'select 1' });
  await post('/api/secrets', { name: `S${n}`, value: 'v' });
  await post('/api/auth/api-keys', {});
  return { ids, tables };
}

interface Operation {
  parameters?: { in: string; name: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

interface Input {
  path: string[];
  query: [string, unknown][];
  rawQuery: string | undefined;
  body: { json: unknown } | { raw: Uint8Array } | undefined;
}

// The route table and the OpenAPI document are the same on every backend: read them once.
const probe = await testApp('sqlite');
await probe.app.ready();
// An event stream lasts as long as its run, and the fuzz creates runs no worker runs: the stream
// is tested in runs.test.ts, its input rules (id, Last-Event-ID, after) by the route's schema.
const STREAMS = new Set(['/api/runs/:id/events']);
const ROUTES = [...new Map(probe.app.routeTable.map((r) => [`${r.method} ${r.url}`, r])).values()].filter(
  (r) => !STREAMS.has(r.url),
);
const DOC = probe.app.swagger() as {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};
await probe.close();

/** `project_id` → `projects`: which table a UUID column refers to, from entities.ts. */
const REFERENCES = new Map(
  (entities as readonly EntityDef[]).flatMap((e) =>
    e.columns.flatMap((c) => (c.references ? [[c.name, c.references.table] as const] : [])),
  ),
);

const RAW_QUERIES = [
  '%00',
  'limit=%ED%A0%80',
  'limit=%FF',
  '%',
  'limit=%zz',
  'limit=1&limit=2',
  'cursor[]=x',
  '&&&=',
  'limit=9223372036854775808',
];

function inputArbitrary(method: string, url: string, arbs: SchemaArbitraries): fc.Arbitrary<Input> {
  const operation = DOC.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method === 'HEAD' ? 'get' : method.toLowerCase()] ?? {};
  // `/api/<table>/:id…` names the table the id belongs to.
  const parent = /^\/api\/([\w/-]+)\/:id/.exec(url)?.[1];
  const pathParams = [...url.matchAll(/:(\w+)/g)].map(() =>
    fc.oneof({ weight: 6, arbitrary: arbs.uuid(parent) }, { weight: 1, arbitrary: anyJson }),
  );
  const query = (operation.parameters ?? [])
    .filter((p) => p.in === 'query')
    .map((p) =>
      fc.option(
        arbs.value(p.schema, p.name).map((v) => [p.name, v] as [string, unknown]),
        { freq: 2 },
      ),
    );
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  const takesBody = !['GET', 'HEAD'].includes(method);
  const body = takesBody
    ? fc.oneof(
        { weight: 8, arbitrary: (bodySchema ? arbs.value(bodySchema) : anyJson).map((json) => ({ json })) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }).map((raw) => ({ raw })) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      )
    : fc.constant(undefined);
  return fc.record({
    path: fc.tuple(...pathParams),
    query: fc.tuple(...query).map((pairs) => pairs.filter((p): p is [string, unknown] => p !== null)),
    rawQuery: fc.oneof(
      { weight: 9, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERIES) },
    ),
    body,
  }) as fc.Arbitrary<Input>;
}

const asText = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

async function send(t: TestApp, ids: string[], method: string, url: string, input: Input) {
  let i = 0;
  const path = url.replace(/:(\w+)/g, () => percentEncode(asText(materialize(input.path[i++], ids))) || '%20');
  const query = [
    ...input.query.map(([k, v]) => `${k}=${percentEncode(asText(materialize(v, ids)))}`),
    ...(input.rawQuery ? [input.rawQuery] : []),
  ].join('&');
  const body =
    input.body === undefined
      ? undefined
      : 'raw' in input.body
        ? Buffer.from(input.body.raw)
        : toJsonText(materialize(input.body.json, ids));
  const res = await t.app.inject({
    method: method as 'GET',
    url: query ? `${path}?${query}` : path,
    ...(body === undefined ? {} : { payload: body, headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.statusCode, body: res.body.slice(0, 300) };
}

describe('generated input: both backends answer every route alike, never with a 5xx', () => {
  const apps = new Map<Backend, { t: TestApp; ids: string[] }>();
  let slots: string[] = [];
  let fixtureSet = 0;
  beforeAll(async () => {
    // Charts draw the rows of a stand-in for the connectors' SQL service (not merged yet).
    for (const backend of BACKENDS)
      apps.set(backend, { t: await testApp(backend, { chartData: new FixedResultChartData() }), ids: [] });
  });
  beforeEach(async () => {
    fixtureSet++;
    for (const app of apps.values()) {
      const { ids, tables } = await createFixtures(app.t, fixtureSet);
      app.ids = ids;
      slots = tables;
    }
  });
  afterAll(async () => {
    for (const { t } of apps.values()) await t.close();
  });

  for (const { method, url } of ROUTES) {
    it(`${method} ${url}`, async () => {
      const arbs = new SchemaArbitraries(DOC.components?.schemas ?? {}, slots, REFERENCES);
      await fc.assert(
        fc.asyncProperty(inputArbitrary(method, url, arbs), async (input) => {
          const answers: Record<string, { status: number; body: string }> = {};
          for (const [backend, { t, ids }] of apps) answers[backend] = await send(t, ids, method, url, input);
          const statuses = Object.values(answers).map((a) => a.status);
          expect(statuses.every((s) => s < 500) && new Set(statuses).size === 1, JSON.stringify(answers)).toBe(true);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    });
  }
});
