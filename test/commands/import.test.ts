import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, tempDir } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { runOxy } from '../support/run-cli.js';

/** A folder written by hand in Oxy's format, with every task type oxy runs. */
const HAND_WRITTEN: Record<string, string> = {
  'config.yml': [
    'databases:',
    '  - name: local',
    '    type: duckdb',
    '    dataset: .db/',
    '  - name: warehouse',
    '    type: postgres',
    '    host_var: WH_HOST',
    '    user: analyst',
    '    database: wh',
    '    password_var: WH_PASSWORD',
    '  - name: lake',
    '    type: bigquery',
    'models:',
    '  - { name: gpt, vendor: openai, model_ref: gpt-4o-mini, key_var: OPENAI_API_KEY }',
    'defaults: { database: local }',
  ].join('\n'),
  '.db/sales.csv': 'store,amount\ns1,10\ns2,20\n',
  'queries/total.sql': "select sum(amount) as total from 'sales.csv'",
  'agents/analyst.agent.yml': 'model: gpt\ntools:\n  - name: sql\n    type: execute_sql\n    database: local\n',
  'workflows/every_type.procedure.yml': [
    'variables:',
    '  min: { type: integer, default: 0 }',
    'tasks:',
    '  - name: rows',
    '    type: execute_sql',
    '    database: local',
    '    sql_file: queries/total.sql',
    '  - name: each',
    '    type: loop_sequential',
    '    values: [1, 2]',
    '    tasks:',
    '      - name: pick',
    '        type: conditional',
    '        conditions:',
    '          - if: "{{ each.value > 1 }}"',
    '            tasks: [{ name: big, type: formatter, template: big }]',
    '        else: [{ name: small, type: formatter, template: small }]',
    '  - name: child',
    '    type: workflow',
    '    src: workflows/child.procedure.yml',
    '  - name: ask',
    '    type: agent',
    '    agent_ref: agents/analyst.agent.yml',
    '    prompt: "Summarise {{ rows }}"',
    '  - name: chart',
    '    type: visualize',
    '    data: rows',
    '  - name: report',
    '    type: formatter',
    '    template: "{{ rows.total[0] }}"',
    '    export: { path: output/report.txt, format: txt }',
  ].join('\n'),
  'workflows/child.procedure.yml': 'tasks:\n  - name: hello\n    type: formatter\n    template: hi\n',
  'workflows/broken.workflow.yml': 'tasks:\n  - name: x\n    type: execute_sql\n    database: local\n',
};

for (const backend of BACKENDS) {
  describe(`oxy import (${backend})`, () => {
    let t: TestApp;
    let root: string;
    const oxy = (...args: string[]) => runOxy(args, { OXY_DATABASE_URL: t.url, OXY_STATE_DIR: t.stateDir });
    const write = (dir: string, files: Record<string, string>) => {
      for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
      }
    };
    const outcomes = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .slice(0, -1)
        .map((line) =>
          line
            .split(/\s{2,}/)
            .slice(0, 2)
            .join(' '),
        );

    beforeAll(async () => {
      t = await testApp(backend);
      root = tempDir('oxy-import-');
    });
    afterAll(async () => {
      await t?.close();
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('imports a hand-written Oxy folder, refusing what oxy cannot use with the reason', async () => {
      const dir = path.join(root, 'shop');
      write(dir, HAND_WRITTEN);
      const res = await oxy('import', dir);
      expect(res.code).toBe(1);
      expect(outcomes(res.stdout)).toEqual([
        'created database local',
        'created database warehouse',
        'refused database lake',
        'refused workflow broken',
        'created workflow child',
        'created workflow every_type',
        'created agent analyst',
        'created query total',
      ]);
      expect(res.stdout).toContain('type bigquery is not one oxy reaches');
      expect(res.stdout).toContain('missing field `sql_query` (or `sql_file`)');
      expect(res.stdout.trim().split('\n').at(-1)).toBe(
        'project shop (created) in workspace imported: 6 created, 0 updated, 0 unchanged, 2 refused',
      );
      const project = (await t.services.repo.findBy('projects', { name: 'shop' }))!;
      expect(project.settings).toEqual({
        folder: dir,
        models: [{ name: 'gpt', vendor: 'openai', model_ref: 'gpt-4o-mini', key_var: 'OPENAI_API_KEY' }],
        defaults: { database: 'local' },
      });
      const warehouse = (await t.services.repo.findBy('databases', { project_id: project.id, name: 'warehouse' }))!;
      expect(warehouse.config).toEqual({
        host_var: 'WH_HOST',
        user: 'analyst',
        database: 'wh',
        password_var: 'WH_PASSWORD',
      });
      const local = (await t.services.repo.findBy('databases', { project_id: project.id, name: 'local' }))!;
      const query = (await t.services.repo.findBy('queries', { project_id: project.id, name: 'total' }))!;
      const agent = (await t.services.repo.findBy('agents', { project_id: project.id, name: 'analyst' }))!;
      expect([query.database_id, agent.database_id, agent.model]).toEqual([local.id, local.id, 'gpt']);
    });

    it('runs an imported workflow from its folder (sql_file, nested src) through the API', async () => {
      const project = (await t.services.repo.findBy('projects', { name: 'shop' }))!;
      const child = (await t.services.repo.findBy('workflows', { project_id: project.id, name: 'child' }))!;
      const run = await t.services.runs.start(String(child.id));
      expect((await t.services.runs.execute(String(run.id), new AbortController().signal)).status).toBe('succeeded');
      const wf = await t.app.inject({
        method: 'POST',
        url: '/api/workflows',
        payload: {
          project_id: project.id,
          name: 'uses_file',
          definition:
            'tasks:\n  - name: rows\n    type: execute_sql\n    database: local\n    sql_file: queries/total.sql\n  - name: nested\n    type: workflow\n    src: workflows/child.procedure.yml\n',
        },
      });
      const started = await t.services.runs.start(String(wf.json().id));
      expect(await t.services.runs.execute(String(started.id), new AbortController().signal)).toEqual({
        status: 'succeeded',
      });
      const steps = (await t.app.inject({ url: `/api/runs/${String(started.id)}/steps` })).json().items;
      expect(steps.map((s: { path: string }) => s.path)).toEqual(['rows', 'nested', 'nested.hello']);
      expect(steps[0].output).toMatchObject({ kind: 'table', rows: [['30']] });
    });

    it('imports again in place: unchanged, then updated when a file changed', async () => {
      const dir = path.join(root, 'shop');
      const again = await oxy('import', dir);
      expect(again.stdout.trim().split('\n').at(-1)).toBe(
        'project shop (updated) in workspace imported: 0 created, 0 updated, 6 unchanged, 2 refused',
      );
      fs.writeFileSync(path.join(dir, 'queries/total.sql'), "select count(*) as total from 'sales.csv'");
      const changed = await oxy('import', dir, '--json');
      const report = JSON.parse(changed.stdout) as { items: { name: string; outcome: string }[] };
      expect(report.items.filter((i) => i.outcome === 'updated').map((i) => i.name)).toEqual(['total']);
    });

    it('imports the demo project back: everything it wrote, nothing refused', async () => {
      const demo = path.join(root, 'demo-folder');
      const init = await oxy('init', '--demo', demo);
      expect(init.code).toBe(0);
      const res = await oxy('import', demo, '--project', 'demo-copy');
      expect(res.code).toBe(0);
      expect(res.stdout).not.toContain('refused ');
      const project = (await t.services.repo.findBy('projects', { name: 'demo-copy' }))!;
      const queries = (await t.services.repo.list('queries', { where: { project_id: project.id } })).items;
      expect(queries.map((q) => q.name).sort()).toEqual(['monthly_revenue', 'revenue_by_store', 'top_products']);
      const run = await t.app.inject({ method: 'POST', url: `/api/queries/${String(queries[0]!.id)}/run` });
      expect(run.statusCode).toBe(200);
    });

    it('refuses a folder without config.yml in one line', async () => {
      const res = await oxy('import', root);
      expect([res.code, res.stderr.split('\n')[0]]).toEqual([
        1,
        `Error: ${root} is not an Oxy project folder: it has no config.yml`,
      ]);
    });
  });
}
