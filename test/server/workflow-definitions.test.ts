import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';

/** The API refuses an invalid workflow definition as `oxy validate` does: every problem, with line, column and field. */
for (const backend of BACKENDS) {
  describe(`workflow definitions through the API (${backend})`, () => {
    let t: TestApp;
    let project: string;
    const post = async (url: string, payload: object) => {
      const res = await t.app.inject({ method: 'POST', url, payload });
      return { status: res.statusCode, body: res.json() };
    };

    beforeAll(async () => {
      t = await testApp(backend);
      const workspace = (await post('/api/workspaces', { name: 'W', slug: `wf-${backend}` })).body.id;
      project = (await post('/api/projects', { workspace_id: workspace, name: 'P' })).body.id;
    });
    afterAll(async () => t?.close());

    it('stores a valid definition parsed', async () => {
      const definition =
        'name: ok\ntasks:\n  - name: hello\n    type: formatter\n    template: "hi {{ variables.who }}"\n';
      const res = await post('/api/workflows', { project_id: project, name: 'ok', definition });
      expect(res.status).toBe(201);
      expect(res.body.parsed).toEqual({
        name: 'ok',
        tasks: [{ name: 'hello', type: 'formatter', template: 'hi {{ variables.who }}' }],
      });
    });

    it('refuses an invalid one with every problem, and stores nothing', async () => {
      const definition =
        'tasks:\n  - name: q\n    type: execute_sql\n    sql_query: select 1\n  - name: f\n    type: formatter\n    template: "{{ x "\n';
      const res = await post('/api/workflows', { project_id: project, name: 'bad', definition });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        'definition.tasks[0]: line 2, column 5: missing field `database` (and 1 more problem)',
      );
      expect(res.body.error.details.fields).toEqual([
        { field: 'definition.tasks[0]', message: 'line 2, column 5: missing field `database`' },
        { field: 'definition.tasks[1].template', message: 'line 7, column 15: template syntax: expected variable end' },
      ]);
      const list = await t.app.inject({ method: 'GET', url: `/api/workflows?project_id=${project}` });
      expect(list.json().items.map((w: { name: string }) => w.name)).toEqual(['ok']);
    });

    it('checks a definition without storing it: every problem with line, column and field, none for a valid one', async () => {
      const url = `/api/projects/${project}/workflows/validate`;
      const bad =
        'tasks:\n  - name: q\n    type: execute_sql\n    sql_query: select 1\n  - name: f\n    type: formatter\n    template: "{{ x "\n';
      const res = await post(url, { definition: bad });
      expect(res.status).toBe(200);
      expect(res.body.problems).toEqual([
        { line: 2, column: 5, path: 'tasks[0]', message: 'missing field `database`' },
        { line: 7, column: 15, path: 'tasks[1].template', message: 'template syntax: expected variable end' },
      ]);
      const syntax = await post(url, { definition: 'tasks: [\n' });
      expect(syntax.body.problems).toHaveLength(1);
      expect(syntax.body.problems[0].line).toBeGreaterThanOrEqual(1);
      const good = await post(url, { definition: 'tasks:\n  - name: hello\n    type: formatter\n    template: hi\n' });
      expect(good.body).toEqual({ problems: [] });
      expect(
        (await post('/api/projects/00000000-0000-4000-8000-000000000000/workflows/validate', { definition: 'x' }))
          .status,
      ).toBe(404);
      const list = await t.app.inject({ method: 'GET', url: `/api/workflows?project_id=${project}` });
      expect(list.json().items.map((w: { name: string }) => w.name)).toEqual(['ok']);
    });
  });
}
