import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_QUERIES } from '../../src/services/demo/demo-content.js';
import { writeDemoDatabase } from '../../src/services/demo/demo-data.js';
import { DemoService } from '../../src/services/demo/demo.service.js';
import { BACKENDS, tempDir } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { runOxy, type CliResult } from '../support/run-cli.js';

/**
 * `oxy init --demo` on the built CLI, recording into each application backend: the folder, the
 * generated data's exact totals (fixed seeds: the same on every machine), the saved queries and
 * charts through the API, and what a second run does.
 */

/** Totals of the generated data; any change to the generator shows here. */
const ORDERS = 33_722;
const ORDER_LINES = 84_202;
const DECEMBER_REVENUE = '285965.97';
const STORES = 7;

type Json = Record<string, any>;

for (const backend of BACKENDS) {
  describe(`oxy init --demo (${backend})`, () => {
    let t: TestApp;
    let root: string;
    let dir: string;
    let first: CliResult;
    const env = () => ({ OXY_DATABASE_URL: t.url, OXY_STATE_DIR: t.stateDir });
    const oxy = (...args: string[]) => runOxy(args, env());
    const csv = async (sql: string) => {
      const res = await oxy('query', 'sales', sql, '--project', 'demo', '--format', 'csv');
      expect(res.stderr).toBe('');
      return res.stdout.split('\r\n').slice(1, -1);
    };
    const api = async (method: 'GET' | 'POST', url: string) => t.app.inject({ method, url });
    const demoProjects = async () =>
      (await t.services.repo.list('projects', { where: { name: 'demo' }, limit: 10 })).items;
    const rowsOf = async (table: 'queries' | 'charts' | 'databases', projectId: string) =>
      (await t.services.repo.list(table, { where: { project_id: projectId }, limit: 10 })).items;

    beforeAll(async () => {
      t = await testApp(backend);
      root = tempDir('oxy-demo-test-');
      dir = path.join(root, 'shop');
      first = await oxy('init', '--demo', dir);
    });
    afterAll(async () => {
      await t?.close();
      if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    describe('the first run', () => {
      it('exits 0 and prints the next step with the serve command and the chart URLs', async () => {
        const [chart] = await rowsOf('charts', String((await demoProjects())[0]!.id));
        expect([first.code, first.stderr, first.stdout]).toEqual([
          0,
          '',
          expect.stringMatching(new RegExp(`oxy serve\\n  curl http://localhost:3000/api/charts/[0-9a-f-]{36}\\.svg`)),
        ]);
        expect(first.stdout).toContain(String(chart!.id));
      });

      it('writes config.yml in Oxy field names (models required, empty), with the DuckDB file by a relative path', () => {
        expect(parse(fs.readFileSync(path.join(dir, 'config.yml'), 'utf8'))).toEqual({
          databases: [{ name: 'sales', type: 'duckdb', path: 'sales.duckdb' }],
          models: [],
          defaults: { database: 'sales' },
        });
      });

      it('writes the database, README.md and one queries/*.sql file per saved query', () => {
        expect([fs.readdirSync(dir).sort(), fs.readdirSync(path.join(dir, 'queries')).sort()]).toEqual([
          ['README.md', 'agents', 'config.yml', 'queries', 'sales.duckdb', 'tests', 'workflows'],
          ['monthly_revenue.sql', 'revenue_by_store.sql', 'top_products.sql'],
        ]);
      });

      it('leaves no staging folder beside the project folder', () => {
        expect(fs.readdirSync(root)).toEqual(['shop']);
      });

      it('makes the folder readable by others, as an ordinary folder', () => {
        expect(fs.statSync(dir).mode & 0o777).toBe(0o755);
      });

      it('records one project demo in the local owner’s workspace', async () => {
        const owner = await t.services.auth.ensureLocalOwner();
        const projects = await demoProjects();
        const workspace = await t.services.repo.get('workspaces', String(projects[0]!.workspace_id));
        expect([projects.length, workspace.owner_id, workspace.slug]).toEqual([1, owner.id, 'demo']);
      });

      it('records the database sales as duckdb with the absolute path of the file', async () => {
        const [database] = await rowsOf('databases', String((await demoProjects())[0]!.id));
        expect([database!.name, database!.kind, database!.config]).toEqual([
          'sales',
          'duckdb',
          { path: path.join(dir, 'sales.duckdb') },
        ]);
      });

      it('syncs the catalog: the schema document lists the demo tables with their columns', async () => {
        const [database] = await rowsOf('databases', String((await demoProjects())[0]!.id));
        const res = await api('GET', `/api/databases/${String(database!.id)}/schema`);
        expect(res.statusCode).toBe(200);
        const tables = (res.json() as { datasets: { tables: { name: string; columns: unknown[] }[] }[] }).datasets
          .flatMap((d) => d.tables)
          .filter((t) => t.columns.length > 0)
          .map((t) => t.name)
          .sort();
        expect(tables).toEqual(['customers', 'order_lines', 'orders', 'products', 'stores']);
      });

      it('stores the agent of its folder, for threads to ask', async () => {
        const project = String((await demoProjects())[0]!.id);
        const agent = (await t.services.repo.findBy('agents', { project_id: project, name: 'analyst' }))!;
        expect([agent.model, agent.definition]).toEqual([
          'default',
          fs.readFileSync(path.join(dir, 'agents', 'analyst.agent.yml'), 'utf8'),
        ]);
      });

      it('stores the saved queries with the SQL of their files', async () => {
        const queries = await rowsOf('queries', String((await demoProjects())[0]!.id));
        const files = Object.fromEntries(
          queries.map((q) => [q.name, fs.readFileSync(path.join(dir, 'queries', `${String(q.name)}.sql`), 'utf8')]),
        );
        expect(queries.every((q) => files[String(q.name)]!.includes(String(q.sql)))).toBe(true);
        expect(queries.map((q) => q.name).sort()).toEqual(DEMO_QUERIES.map((q) => q.name).sort());
      });
    });

    describe('the data, through oxy query', () => {
      it('has a year of orders', async () => {
        expect(await csv('select count(*), min(order_date), max(order_date) from orders')).toEqual([
          `${ORDERS},2025-01-01,2025-12-31`,
        ]);
      });

      it('has every order line', async () => {
        expect(await csv('select count(*) from order_lines')).toEqual([String(ORDER_LINES)]);
      });

      it("has December's revenue", async () => {
        expect(
          await csv(
            "select sum(quantity * unit_price) from order_lines join orders using (order_id) where order_date >= date '2025-12-01'",
          ),
        ).toEqual([DECEMBER_REVENUE]);
      });

      it('has stores with a city and a region, products with a category and a price', async () => {
        expect(
          await csv(
            'select (select count(*) from stores where city is not null and region is not null), (select count(*) from products where price > 0), (select count(distinct category) from products)',
          ),
        ).toEqual([`${STORES},24,5`]);
      });

      it('has unique order ids and lines whose every reference resolves', async () => {
        expect(
          await csv(
            `select (select count(*) - count(distinct order_id) from orders),
                    (select count(*) - count(distinct (order_id, line_no)) from order_lines),
                    (select count(*) from order_lines l anti join orders o using (order_id)),
                    (select count(*) from order_lines l anti join products p using (product_id)),
                    (select count(*) from orders o anti join stores s using (store_id)),
                    (select count(*) from orders o anti join customers c using (customer_id))`,
          ),
        ).toEqual(['0,0,0,0,0,0']);
      });

      it('describes every table in a comment, for the catalog and agents', async () => {
        expect(
          await csv("select string_agg(table_name, ' ' order by table_name) from duckdb_tables() where comment <> ''"),
        ).toEqual(['customers order_lines orders products stores']);
      });

      it('peaks in December (seasonality)', async () => {
        const months = await csv('select month(order_date) from orders group by 1 order by count(*) desc, 1 limit 1');
        expect(months).toEqual(['12']);
      });
    });

    describe('the saved queries, through POST /api/queries/:id/run', () => {
      const run = async (name: string) => {
        const projectId = String((await demoProjects())[0]!.id);
        const query = (await rowsOf('queries', projectId)).find((q) => q.name === name)!;
        const res = await api('POST', `/api/queries/${String(query.id)}/run`);
        expect(res.statusCode).toBe(200);
        return res.json() as Json;
      };

      it('monthly_revenue: twelve months whose revenue adds up to the year’s', async () => {
        const result = await run('monthly_revenue');
        const [year] = await csv('select sum(quantity * unit_price) from order_lines');
        const total = result.rows.reduce((sum: number, row: unknown[]) => sum + Math.round(Number(row[2]) * 100), 0);
        expect([result.rowCount, total]).toEqual([12, Math.round(Number(year) * 100)]);
      });

      it('revenue_by_store: one row per store, largest first', async () => {
        const result = await run('revenue_by_store');
        const revenue = result.rows.map((row: unknown[]) => Number(row[3]));
        expect([result.rowCount, revenue]).toEqual([STORES, [...revenue].sort((a, b) => b - a)]);
      });

      it('top_products: ten products', async () => {
        const result = await run('top_products');
        expect([result.rowCount, result.columns.map((c: Json) => c.name)]).toEqual([
          10,
          ['product', 'category', 'units', 'revenue'],
        ]);
      });
    });

    describe('the workflow', () => {
      it('runs in the terminal from the demo folder, one line per store of the region', async () => {
        const res = await runOxy(['run', 'workflows/store_report.procedure.yml', '-v', 'region=South'], env(), {
          cwd: dir,
        });
        expect(res.code, res.stderr).toBe(0);
        const lines = res.stdout.trim().split('\n');
        const stores = Number(/^(\d+) stores? in the South region in 2025:$/.exec(lines[0]!)?.[1]);
        expect(stores).toBeGreaterThan(0);
        expect(lines.slice(1)).toHaveLength(stores);
      });

      it('is stored in the project and runs through the API', async () => {
        const project = String((await demoProjects())[0]!.id);
        const workflow = (await t.services.repo.findBy('workflows', { project_id: project, name: 'store_report' }))!;
        const run = await t.services.runs.start(String(workflow.id), { region: 'West' });
        expect(await t.services.runs.execute(String(run.id), new AbortController().signal)).toEqual({
          status: 'succeeded',
        });
      });
    });

    describe('the charts', () => {
      const charts = async () => {
        const rows = await rowsOf('charts', String((await demoProjects())[0]!.id));
        return Object.fromEntries(rows.map((c) => [(c.spec as Json).type, String(c.id)]));
      };

      it('the line chart draws twelve months of revenue', async () => {
        const data = (await api('GET', `/api/charts/${(await charts()).line}/data`)).json() as Json;
        const [december] = await csv(
          "select sum(quantity * unit_price) from order_lines join orders using (order_id) where order_date >= date '2025-12-01'",
        );
        const points = data.option.series[0].data as [number, number][];
        expect([points.length, points[11]![1]]).toEqual([12, Number(december)]);
      });

      it('the line chart renders to SVG with a line', async () => {
        const res = await api('GET', `/api/charts/${(await charts()).line}.svg`);
        expect([res.statusCode, res.headers['content-type'], res.body]).toEqual([
          200,
          'image/svg+xml; charset=utf-8',
          expect.stringMatching(/^<svg[\s\S]*>Monthly revenue, 2025<\/text>[\s\S]*<path d="M/),
        ]);
      });

      it('the bar chart renders to SVG with every store named', async () => {
        const res = await api('GET', `/api/charts/${(await charts()).bar}.svg`);
        const stores = await csv('select name from stores order by store_id');
        expect([res.statusCode, stores.filter((name) => !res.body.includes(`>${name}</text>`))]).toEqual([200, []]);
      });
    });

    describe('running it again', () => {
      it('on the same folder finds the demo there, exits 0 and changes nothing', async () => {
        const before = await Promise.all([demoProjects(), fs.statSync(path.join(dir, 'sales.duckdb')).mtimeMs]);
        const res = await oxy('init', '--demo', dir);
        const after = await Promise.all([demoProjects(), fs.statSync(path.join(dir, 'sales.duckdb')).mtimeMs]);
        expect([res.code, res.stdout.split('\n')[0], after]).toEqual([
          0,
          `The demo is already in ${dir}; nothing changed (--force recreates it).`,
          before,
        ]);
      });

      it('refuses a folder holding other files in one line with the --force hint', async () => {
        const other = path.join(root, 'notes');
        fs.mkdirSync(other);
        fs.writeFileSync(path.join(other, 'todo.txt'), 'keep me');
        const res = await oxy('init', '--demo', other);
        expect([res.code, res.stdout, res.stderr, fs.readdirSync(other)]).toEqual([
          1,
          '',
          `Error: ${other} already exists and is not empty\nHint: run \`oxy init --demo --force\` to recreate it (its files are replaced), or name another folder: oxy init --demo DIR\n`,
          ['todo.txt'],
        ]);
        fs.rmSync(other, { recursive: true });
      });

      it('refuses another folder while the project exists, writing no folder', async () => {
        const other = path.join(root, 'other');
        const res = await oxy('demo', other);
        expect([res.code, res.stderr.split('\n')[0], fs.existsSync(other)]).toEqual([
          1,
          'Error: workspace demo already has a project demo',
          false,
        ]);
      });

      it('with --force replaces the project: new rows, the old ones gone, one demo project', async () => {
        const [old] = await demoProjects();
        const oldQueries = await rowsOf('queries', String(old!.id));
        const res = await oxy('init', '--demo', dir, '--force');
        const projects = await demoProjects();
        const gone = await api('GET', `/api/queries/${String(oldQueries[0]!.id)}`);
        expect([res.code, projects.length, projects[0]!.id !== old!.id, gone.statusCode]).toEqual([0, 1, true, 404]);
      });

      it('with --force leaves a folder whose data still answers', async () => {
        expect([fs.readdirSync(root).sort(), await csv('select count(*) from orders')]).toEqual([
          ['shop'],
          [String(ORDERS)],
        ]);
      });
    });

    describe('a folder it cannot write', () => {
      it('refuses a DIR that is a file in one line', async () => {
        const file = path.join(root, 'a-file');
        fs.writeFileSync(file, 'x');
        const res = await oxy('init', '--demo', file);
        expect([res.code, res.stderr.split('\n')[0], fs.readFileSync(file, 'utf8')]).toEqual([
          1,
          `Error: ${file} exists and is not a folder`,
          'x',
        ]);
      });

      it('refuses a DIR under a file, naming the reason, before recording anything', async () => {
        const file = path.join(root, 'b-file');
        fs.writeFileSync(file, 'x');
        const target = path.join(file, 'demo');
        const before = await t.services.repo.count('projects');
        const res = await oxy('init', '--demo', target, '--force');
        expect([res.code, res.stderr.split('\n')[0], await t.services.repo.count('projects')]).toEqual([
          1,
          `Error: cannot write the demo folder ${target}: a part of the path is a file, not a folder (ENOTDIR)`,
          before,
        ]);
      });
    });

    describe('the workspace', () => {
      it('puts the demo into the workspace --workspace names', async () => {
        const ws = (
          await t.app.inject({ method: 'POST', url: '/api/workspaces', payload: { name: 'Team', slug: 'team' } })
        ).json() as Json;
        const res = await oxy('init', '--demo', path.join(root, 'team'), '--workspace', 'team');
        const projects = await demoProjects();
        expect([res.code, projects.filter((p) => p.workspace_id === ws.id).length]).toEqual([0, 1]);
      });

      it('refuses a workspace that does not exist before writing the folder', async () => {
        const target = path.join(root, 'nowhere');
        const res = await oxy('init', '--demo', target, '--workspace', 'nowhere');
        expect([res.code, res.stderr.split('\n')[0], fs.existsSync(target)]).toEqual([
          1,
          'Error: no workspace "nowhere"',
          false,
        ]);
      });

      it('records nothing when a write in the transaction fails', async () => {
        const demo = new DemoService(t.services.repo, t.services.auth);
        const before = await Promise.all(
          ['projects', 'databases', 'queries', 'charts'].map((table) => t.services.repo.count(table as 'projects')),
        );
        const missing = {
          kind: 'existing',
          workspaceId: '01900000-0000-7000-8000-000000000000',
          label: 'gone',
        } as const;
        await expect(
          demo.record(missing, { databaseFile: path.join(dir, 'sales.duckdb'), folder: dir, force: true }),
        ).rejects.toThrow();
        const after = await Promise.all(
          ['projects', 'databases', 'queries', 'charts'].map((table) => t.services.repo.count(table as 'projects')),
        );
        expect(after).toEqual(before);
      });
    });
  });

  describe(`oxy init --demo with OXY_AUTH=password (${backend})`, () => {
    let t: TestApp;
    let root: string;
    const oxy = (...args: string[]) =>
      runOxy(args, { OXY_DATABASE_URL: t.url, OXY_STATE_DIR: t.stateDir, OXY_AUTH: 'password' });

    beforeAll(async () => {
      t = await testApp(backend, { env: { OXY_AUTH: 'password' } });
      root = tempDir('oxy-demo-test-');
    });
    afterAll(async () => {
      await t?.close();
      if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it('without an owner account, says how to make one and writes no folder', async () => {
      const res = await oxy('init', '--demo', path.join(root, 'demo'));
      expect([res.code, res.stderr, fs.existsSync(path.join(root, 'demo'))]).toEqual([
        1,
        'Error: no owner account to hold the demo workspace\nHint: create one with `oxy users create --email E --role owner`, or name a workspace with --workspace\n',
        false,
      ]);
    });

    it('with an owner account, makes a demo workspace owned by the first owner', async () => {
      const owner = await t.services.auth.createUser({
        email: 'boss@example.com',
        role: 'owner',
        password: 'a long enough password 1',
      });
      const res = await oxy('init', '--demo', path.join(root, 'demo'));
      const workspace = await t.services.repo.findBy('workspaces', { slug: 'demo' });
      const member = await t.services.repo.findBy('workspace_members', {
        workspace_id: workspace?.id,
        user_id: owner.id,
      });
      expect([res.code, workspace?.owner_id, member?.role]).toEqual([0, owner.id, 'owner']);
    });
  });
}

describe('oxy init without --demo', () => {
  it('is a usage error (exit 2) pointing at --demo', async () => {
    const stateDir = tempDir('oxy-demo-test-');
    try {
      const res = await runOxy(['init'], { OXY_STATE_DIR: stateDir });
      expect([res.code, res.stderr]).toEqual([
        2,
        'Error: oxy init creates the demo project only for now\nHint: run `oxy init --demo [DIR]`\n',
      ]);
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('the demo data', () => {
  it('is the same, row for row, every time it is generated', async () => {
    const dir = tempDir('oxy-demo-data-');
    try {
      const digest = async (file: string) => {
        await writeDemoDatabase(file);
        const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
        const connection = await instance.connect();
        const reader = await connection.runAndReadAll(
          "select md5(string_agg(o.order_id || o.order_date || o.store_id || o.customer_id || l.line_no || l.product_id || l.quantity || l.unit_price, ',' order by o.order_id, l.line_no)) from orders o join order_lines l using (order_id)",
        );
        const value = String(reader.getRows()[0]![0]);
        connection.closeSync();
        instance.closeSync();
        return value;
      };
      const a = await digest(path.join(dir, 'a.duckdb'));
      const b = await digest(path.join(dir, 'b.duckdb'));
      expect([a, a.length]).toEqual([b, 32]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
