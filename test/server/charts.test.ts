import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, tempDir } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { FixedResultChartData, REVENUE_RESULT } from '../support/fixed-chart-data.js';

/**
 * Charts through the API on both backends: specs checked at write time, and the two routes that
 * run a chart's source and draw it. The rows come from FixedResultChartData, which stands in for
 * the connectors' SQL service so that every spec can be drawn from known rows; the last suite draws
 * from a real DuckDB through the connectors.
 */

type Json = Record<string, any>;

const SQL_SOURCE = { database: 'shop', sql: 'select month, region, revenue, orders from sales' };
const BAR = { type: 'bar', source: SQL_SOURCE, x: 'month', y: ['revenue'], series: 'region', title: 'Revenue' };

for (const backend of BACKENDS) {
  describe(`charts (${backend})`, () => {
    let t: TestApp;
    let data: FixedResultChartData;
    let project: string;
    let otherProject: string;

    const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
      const res = await t.app.inject({ method, url, ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.body, json: () => res.json() as Json, headers: res.headers };
    };
    // One entry per field (Ajv reports each branch of an enum's union).
    const fields = (body: Json) => [...new Set(body.error.details.fields.map((f: { field: string }) => f.field))];
    const chart = async (spec: object, projectId = project) => {
      const res = await call('POST', '/api/charts', { project_id: projectId, title: 'Sales', spec });
      if (res.status !== 201) throw new Error(res.body);
      return String(res.json().id);
    };
    const query = async (projectId = project) =>
      String(
        (
          await call('POST', '/api/queries', { project_id: projectId, name: `q${Math.random()}`, sql: 'select 1' })
        ).json().id,
      );

    beforeAll(async () => {
      data = new FixedResultChartData();
      t = await testApp(backend, { chartData: data });
      const ws = (await call('POST', '/api/workspaces', { name: 'W', slug: 'w' })).json().id;
      project = (await call('POST', '/api/projects', { workspace_id: ws, name: 'p' })).json().id;
      otherProject = (await call('POST', '/api/projects', { workspace_id: ws, name: 'other' })).json().id;
    });
    afterAll(async () => {
      await t.close();
    });

    describe('writing a spec', () => {
      it('stores a valid spec as given', async () => {
        const res = await call('POST', '/api/charts', { project_id: project, title: 'Sales', spec: BAR });
        expect([res.status, res.json().spec]).toEqual([201, BAR]);
      });

      it('refuses a y column that is not a name, naming spec.y.1', async () => {
        const res = await call('POST', '/api/charts', {
          project_id: project,
          title: 'c',
          spec: { ...BAR, y: ['revenue', 5] },
        });
        expect([res.status, fields(res.json())]).toEqual([400, ['spec.y.1']]);
      });

      it('refuses a y column given twice, naming spec.y.1', async () => {
        const res = await call('POST', '/api/charts', {
          project_id: project,
          title: 'c',
          spec: { ...BAR, series: undefined, y: ['revenue', 'revenue'] },
        });
        expect([res.status, res.json().error.message]).toEqual([400, 'spec.y.1 repeats column revenue']);
      });

      it('refuses an unknown chart type, naming spec.type', async () => {
        const res = await call('POST', '/api/charts', {
          project_id: project,
          title: 'c',
          spec: { ...BAR, type: 'donut' },
        });
        expect([res.status, fields(res.json())]).toEqual([400, ['spec.type']]);
      });

      it('refuses stacking on a line chart, naming spec.stack', async () => {
        const res = await call('POST', '/api/charts', {
          project_id: project,
          title: 'c',
          spec: { ...BAR, type: 'line', stack: true },
        });
        expect([res.status, fields(res.json())]).toEqual([400, ['spec.stack']]);
      });

      it('refuses a source with neither query_id nor SQL, naming what is missing', async () => {
        const res = await call('POST', '/api/charts', {
          project_id: project,
          title: 'c',
          spec: { ...BAR, source: {} },
        });
        expect([res.status, fields(res.json()).slice(0, 2)]).toEqual([
          400,
          ['spec.source.database', 'spec.source.sql'],
        ]);
      });

      it('accepts a saved query of the same project as the source', async () => {
        const queryId = await query();
        const res = await call('POST', '/api/charts', {
          project_id: project,
          title: 'c',
          spec: { ...BAR, source: { query_id: queryId } },
        });
        expect([res.status, res.json().spec.source]).toEqual([201, { query_id: queryId }]);
      });

      it('refuses a query_id that does not exist, naming spec.source.query_id', async () => {
        const res = await call('POST', '/api/charts', {
          project_id: project,
          title: 'c',
          spec: { ...BAR, source: { query_id: '01900000-0000-7000-8000-000000000000' } },
        });
        expect([res.status, fields(res.json())]).toEqual([400, ['spec.source.query_id']]);
      });

      it('refuses a query of another project as if it did not exist', async () => {
        const res = await call('POST', '/api/charts', {
          project_id: project,
          title: 'c',
          spec: { ...BAR, source: { query_id: await query(otherProject) } },
        });
        expect([res.status, res.json().error.message]).toEqual([
          400,
          expect.stringMatching(
            /^spec\.source\.query_id refers to queries .*, which does not exist in the chart's project$/,
          ),
        ]);
      });

      it('refuses a bad spec written through the service too (the demo and agents write there)', async () => {
        await expect(
          t.services.entities.create('charts', {
            project_id: project,
            title: 'c',
            spec: { ...BAR, y: ['revenue', 5] },
          }),
        ).rejects.toMatchObject({ status: 400, details: { fields: [{ field: 'spec.y.1' }] } });
      });

      it('refuses a PATCH with a bad spec and keeps the stored one', async () => {
        const id = await chart(BAR);
        const res = await call('PATCH', `/api/charts/${id}`, { spec: { ...BAR, x: '' } });
        expect([res.status, fields(res.json()), (await call('GET', `/api/charts/${id}`)).json().spec]).toEqual([
          400,
          ['spec.x'],
          BAR,
        ]);
      });

      it('refuses moving a chart to another project away from its saved query', async () => {
        const id = await chart({ ...BAR, source: { query_id: await query() } });
        const res = await call('PATCH', `/api/charts/${id}`, { project_id: otherProject });
        expect([res.status, fields(res.json())]).toEqual([400, ['spec.source.query_id']]);
      });
    });

    describe('GET /api/charts/:id/data', () => {
      it("returns the source's result as it came", async () => {
        const res = await call('GET', `/api/charts/${await chart(BAR)}/data`);
        expect([res.status, res.json().result]).toEqual([200, REVENUE_RESULT]);
      });

      it('returns the ECharts option, one series per region with decimals as numbers', async () => {
        const option = (await call('GET', `/api/charts/${await chart(BAR)}/data`)).json().option;
        expect(option.series.map((s: Json) => [s.name, s.data])).toEqual([
          ['North', [1200.5, 1500.25, 900]],
          ['South', [800, null, 1100.75]],
        ]);
      });

      it("runs the chart's own SQL in the chart's project, capped at 10,000 rows", async () => {
        await call('GET', `/api/charts/${await chart(BAR)}/data`);
        expect(data.calls.at(-1)).toEqual({ projectId: project, source: SQL_SOURCE, limit: 10_000 });
      });

      it('runs a saved query by its id', async () => {
        const queryId = await query();
        await call('GET', `/api/charts/${await chart({ ...BAR, source: { query_id: queryId } })}/data`);
        expect(data.calls.at(-1)!.source).toEqual({ query_id: queryId });
      });

      it('answers 409 when the saved query was deleted since', async () => {
        const queryId = await query();
        const id = await chart({ ...BAR, source: { query_id: queryId } });
        await call('DELETE', `/api/queries/${queryId}`);
        const res = await call('GET', `/api/charts/${id}/data`);
        expect([res.status, res.json().error.code]).toEqual([409, 'chart_query_missing']);
      });

      it('answers 422 naming the column when the spec names one the result lacks', async () => {
        const res = await call('GET', `/api/charts/${await chart({ ...BAR, y: ['profit'] })}/data`);
        expect([res.status, res.json().error.message]).toEqual([
          422,
          'spec.y.0 names column profit, which the query does not return (it returns month, region, revenue, orders)',
        ]);
      });

      it('answers 422 for a spec stored before specs were checked', async () => {
        const row = await t.services.repo.insert('charts', {
          project_id: project,
          title: 'old',
          spec: { mark: 'bar' },
        });
        const res = await call('GET', `/api/charts/${String(row.id)}/data`);
        expect([res.status, res.json().error.code]).toEqual([422, 'chart_spec_invalid']);
      });

      it('answers 404 for a chart that does not exist', async () => {
        const res = await call('GET', '/api/charts/01900000-0000-7000-8000-000000000000/data');
        expect(res.status).toBe(404);
      });
    });

    describe('GET /api/charts/:id.svg', () => {
      it('answers an SVG document', async () => {
        const res = await call('GET', `/api/charts/${await chart(BAR)}.svg`);
        expect([res.status, res.headers['content-type'], res.body.startsWith('<svg')]).toEqual([
          200,
          'image/svg+xml; charset=utf-8',
          true,
        ]);
      });

      it('draws the title', async () => {
        const res = await call('GET', `/api/charts/${await chart(BAR)}.svg`);
        expect(res.body).toMatch(/>Revenue<\/text>/);
      });

      it('is drawn at the size asked for', async () => {
        const res = await call('GET', `/api/charts/${await chart(BAR)}.svg?width=320&height=200`);
        expect(res.body).toMatch(/^<svg width="320" height="200"/);
      });

      it('refuses a width past 4000 pixels, naming width', async () => {
        const res = await call('GET', `/api/charts/${await chart(BAR)}.svg?width=5000`);
        expect([res.status, fields(res.json())]).toEqual([400, ['width']]);
      });

      it('gives the same bytes for the same chart and rows', async () => {
        const id = await chart(BAR);
        expect((await call('GET', `/api/charts/${id}.svg`)).body).toBe(
          (await call('GET', `/api/charts/${id}.svg`)).body,
        );
      });

      it('draws a table chart as an SVG table', async () => {
        const res = await call('GET', `/api/charts/${await chart({ type: 'table', source: SQL_SOURCE })}.svg`);
        expect([res.status, res.body]).toEqual([200, expect.stringContaining('>1200.50</text>')]);
      });
    });
  });
}

for (const backend of BACKENDS) {
  describe(`charts drawn from a real database through the connectors (${backend})`, () => {
    let t: TestApp;
    let dir: string;
    beforeAll(async () => {
      t = await testApp(backend);
      dir = tempDir('oxy-chart-data-');
      fs.writeFileSync(path.join(dir, 'sales.csv'), 'region,revenue\nnorth,120\nsouth,80\neast,45\n');
    });
    afterAll(async () => {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('runs its own SQL on a DuckDB dataset folder of the project and draws one bar a row', async () => {
      const post = async (url: string, payload: object) =>
        (await t.app.inject({ method: 'POST', url, payload })).json();
      const ws = (await post('/api/workspaces', { name: 'W', slug: `w-${backend}` })).id;
      const project = (await post('/api/projects', { workspace_id: ws, name: 'p' })).id;
      await post('/api/databases', { project_id: project, name: 'shop', kind: 'duckdb', config: { dataset: dir } });
      const spec = {
        type: 'bar',
        source: { database: 'shop', sql: "select region, revenue from 'sales.csv' order by revenue desc" },
        x: 'region',
        y: ['revenue'],
        title: 'Revenue by region',
      };
      const id = (await post('/api/charts', { project_id: project, title: 'Revenue', spec })).id;
      const data = (await t.app.inject({ url: `/api/charts/${id}/data` })).json();
      // DuckDB reads the CSV's numbers as BIGINT, which the API gives as strings (no float rounding).
      expect(data.result.rows).toEqual([
        ['north', '120'],
        ['south', '80'],
        ['east', '45'],
      ]);
      const svg = await t.app.inject({ url: `/api/charts/${id}.svg` });
      expect([svg.statusCode, svg.headers['content-type']]).toEqual([200, expect.stringContaining('image/svg+xml')]);
      expect(svg.body).toContain('Revenue by region');
    });
  });
}
