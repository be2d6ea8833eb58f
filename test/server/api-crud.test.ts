import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entities, type EntityDef } from '../../src/db/entities.js';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { SAMPLE_CHART_SPEC } from '../support/role-fixture.js';

const CRUD = (entities as readonly EntityDef[]).filter((e) => (e.api ?? 'crud') === 'crud').map((e) => e.table);
const INTERNAL = (entities as readonly EntityDef[]).filter((e) => e.api === 'none').map((e) => e.table);
const READ_ONLY = (entities as readonly EntityDef[]).filter((e) => e.api === 'read').map((e) => e.table);

for (const backend of BACKENDS) {
  describe(`REST API (${backend})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
      const res = await t.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
      return { status: res.statusCode, body: res.body ? (res.json() as any) : undefined };
    };
    const create = async (table: string, payload: unknown) => {
      const res = await call('POST', `/api/${table}`, payload);
      expect(res.status, `${table}: ${JSON.stringify(res.body)}`).toBe(201);
      ids[table] = res.body.id;
      return res.body;
    };

    beforeAll(async () => {
      t = await testApp(backend);
    });
    afterAll(async () => {
      await t.close();
    });

    it('creates a row of every entity users manage, and reads each back', async () => {
      await create('users', { email: 'Ada@Example.com', name: 'Ada', role: 'admin' });
      const ws = await create('workspaces', { name: 'Analytics', slug: 'analytics' });
      expect(ws.owner_id).toBe((await call('GET', '/api/users?role=owner')).body.items[0].id);
      await create('projects', {
        workspace_id: ids.workspaces,
        name: 'sales',
        settings: { tz: 'Europe/Oslo', ключ: ['ü', 1.5] },
      });
      await create('databases', {
        project_id: ids.projects,
        name: 'warehouse',
        kind: 'duckdb',
        config: { path: '/data/w.duckdb' },
      });
      const wf = await create('workflows', {
        project_id: ids.projects,
        name: 'daily',
        definition: 'name: daily\ntasks:\n  - name: q\n    type: formatter\n    template: select 1\n',
      });
      expect(wf.parsed).toEqual({ name: 'daily', tasks: [{ name: 'q', type: 'formatter', template: 'select 1' }] });
      await create('agents', {
        project_id: ids.projects,
        database_id: ids.databases,
        name: 'analyst',
        definition: 'model: gpt-4o\n',
      });
      const thread = await create('threads', {
        project_id: ids.projects,
        agent_id: ids.agents,
        title: 'Revenue by region?',
      });
      expect(thread).toMatchObject({ is_processing: false, user_id: ws.owner_id });
      await create('messages', {
        thread_id: ids.threads,
        role: 'user',
        content: 'Revenue by region? 😀',
        metadata: { sql: 'select 1' },
      });
      // Runs and their steps are written by the run service (POST /api/workflows/:id/runs), not posted.
      ids.runs = String(
        (
          await t.services.repo.insert('runs', {
            workflow_id: ids.workflows,
            thread_id: ids.threads,
            status: 'running',
            started_at: '2026-01-02T03:04:05.123456Z',
            variables: { day: 1 },
            run_index: 1,
          })
        ).id,
      );
      await t.services.repo.insert('run_steps', {
        run_id: ids.runs,
        step_index: 0,
        name: 'q',
        status: 'succeeded',
        output: [[1]],
      });
      await create('charts', { project_id: ids.projects, run_id: ids.runs, title: 'Revenue', spec: SAMPLE_CHART_SPEC });
      await create('queries', {
        project_id: ids.projects,
        database_id: ids.databases,
        name: 'revenue',
        sql: 'select 1',
      });
      await create('secrets', { name: 'OPENAI_API_KEY', value: 'sk-test' });
      for (const table of CRUD) {
        const got = await call('GET', `/api/${table}/${ids[table]}`);
        expect(got.status, table).toBe(200);
        expect(got.body.id).toBe(ids[table]);
      }
      expect((await call('GET', `/api/users/${ids.users}`)).body.email).toBe('ada@example.com');
      expect((await call('GET', `/api/runs/${ids.runs}`)).body.started_at).toBe('2026-01-02T03:04:05.123456Z');
      expect((await call('GET', `/api/projects/${ids.projects}`)).body.settings).toEqual({
        tz: 'Europe/Oslo',
        ключ: ['ü', 1.5],
      });
    });

    it('lists rows a parent owns under it', async () => {
      const messages = await call('GET', `/api/threads/${ids.threads}/messages`);
      expect(messages.status).toBe(200);
      expect(messages.body.items.map((m: { content: string }) => m.content)).toEqual(['Revenue by region? 😀']);
      const steps = await call('GET', `/api/runs/${ids.runs}/steps`);
      expect(steps.body.items.map((s: { name: string }) => s.name)).toEqual(['q']);
      expect((await call('GET', `/api/threads/01900000-0000-7000-8000-000000000000/messages`)).status).toBe(404);
    });

    it('pages through a list with limit and cursor, every row once and in creation order', async () => {
      const created: string[] = [];
      for (let i = 0; i < 7; i++)
        created.push(
          (await create('messages', { thread_id: ids.threads, role: 'assistant', content: `answer ${i}` })).id,
        );
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await call(
          'GET',
          `/api/messages?thread_id=${ids.threads}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.body.items.map((m: { id: string }) => m.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(8);
      expect(seen.slice(1)).toEqual(created);
      expect(new Set(seen).size).toBe(8);
    });

    it('updates with PATCH and deletes with DELETE', async () => {
      const patched = await call('PATCH', `/api/threads/${ids.threads}`, { title: 'Renamed', is_processing: true });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ title: 'Renamed', is_processing: true });
      expect(patched.body.updated_at >= patched.body.created_at).toBe(true);
      const query = await create('queries', { project_id: ids.projects, name: 'temp', sql: 'select 2' });
      expect((await call('DELETE', `/api/queries/${query.id}`)).status).toBe(204);
      expect((await call('GET', `/api/queries/${query.id}`)).status).toBe(404);
      expect((await call('DELETE', `/api/queries/${query.id}`)).status).toBe(404);
    });

    it('answers bad input with 400 and the fields, unknown ids with 404, conflicts with 409', async () => {
      const missing = await call('POST', '/api/workspaces', { name: 'x' });
      expect(missing.status).toBe(400);
      expect(missing.body.error).toMatchObject({ code: 'validation' });
      expect(missing.body.error.details.fields).toEqual([
        { field: 'slug', message: "must have required property 'slug'" },
      ]);
      const wrongType = await call('POST', '/api/messages', { thread_id: ids.threads, role: 'robot', content: 1 });
      expect(wrongType.status).toBe(400);
      const unknown = await call('POST', '/api/queries', {
        project_id: ids.projects,
        name: 'q2',
        sql: 's',
        surprise: true,
      });
      expect(unknown.body.error.details.fields, JSON.stringify(unknown.body)).toContainEqual({
        field: 'surprise',
        message: 'must NOT have additional properties',
      });
      expect((await call('GET', '/api/projects/not-a-uuid')).status).toBe(400);
      const notFound = await call('GET', '/api/projects/01900000-0000-7000-8000-000000000000');
      expect(notFound).toEqual({
        status: 404,
        body: { error: { code: 'not_found', message: 'projects 01900000-0000-7000-8000-000000000000 not found' } },
      });
      const duplicate = await call('POST', '/api/workspaces', { name: 'Other', slug: 'analytics' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.error.message).toBe('a workspaces row with slug="analytics" already exists');
      const dangling = await call('POST', '/api/threads', {
        project_id: '01900000-0000-7000-8000-000000000000',
        title: 'x',
      });
      expect(dangling.status).toBe(409);
      expect(dangling.body.error.message).toMatch(/^project_id refers to projects/);
      const yaml = await call('POST', '/api/workflows', {
        project_id: ids.projects,
        name: 'broken',
        definition: 'tasks:\n  - [unclosed\n',
      });
      expect(yaml.status).toBe(400);
      expect(yaml.body.error.message).toMatch(/^definition: invalid YAML at line \d+/);
      const tooLong = await call('POST', '/api/projects', { workspace_id: ids.workspaces, name: 'n'.repeat(201) });
      expect(tooLong.status).toBe(400);
      expect(
        (await call('GET', `/api/workflows?project_id=${ids.projects}`)).body.items.map(
          (w: { name: string }) => w.name,
        ),
      ).toEqual(['daily']);
    });

    it('serves the catalog and jobs read-only', async () => {
      for (const table of READ_ONLY) {
        expect((await call('GET', `/api/${table}`)).status, table).toBe(200);
        expect((await call('POST', `/api/${table}`, {})).status, table).toBe(404);
      }
    });

    it('gives server-internal entities (sessions, run events) no route of their own', async () => {
      expect(INTERNAL).toEqual(['sessions', 'run_events']);
      for (const table of INTERNAL)
        expect(
          t.app.routeTable.filter((r) => r.url.startsWith(`/api/${table}`)),
          table,
        ).toEqual([]);
    });

    it('publishes an OpenAPI 3.1 document with every resource', async () => {
      const spec = await call('GET', '/api/openapi.json');
      expect(spec.status).toBe(200);
      expect(spec.body.openapi).toBe('3.1.0');
      for (const e of entities as readonly EntityDef[])
        if (e.api !== 'none') expect(Object.keys(spec.body.paths), e.table).toContain(`/api/${e.table}`);
      expect(spec.body.paths['/api/workspaces'].post).toBeDefined();
      expect(spec.body.paths['/api/jobs'].post).toBeUndefined();
    });
  });
}
