import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobWorker } from '../../src/services/jobs/worker.js';
import { BACKENDS, tempDir } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { waitFor } from '../support/wait-for.js';

interface SseEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

function parseSse(body: string): SseEvent[] {
  return body
    .split('\n\n')
    .filter((block) => block.startsWith('id: '))
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))!
          .slice(name.length + 2);
      return { id: Number(field('id')), event: field('event'), data: JSON.parse(field('data')) };
    });
}

const WORKFLOW = [
  'variables:',
  '  region: { type: string, default: north }',
  'tasks:',
  '  - name: stores',
  '    type: execute_sql',
  '    database: sales',
  "    sql_query: select store, amount from 'sales.csv' where region = {{ variables.region | sqlquote }} order by store",
  '  - name: each',
  '    type: loop_sequential',
  '    values: "{{ stores.store }}"',
  '    tasks:',
  '      - name: line',
  '        type: formatter',
  '        template: "{{ each.value }}"',
  '  - name: late',
  '    type: execute_sql',
  '    database: sales',
  "    sql_query: select count(nope) as n from 'sales.csv'",
].join('\n');

/** Workflow runs through the API and a real job worker, on both application backends. */
for (const backend of BACKENDS) {
  describe(`workflow runs (${backend})`, () => {
    let t: TestApp;
    let worker: JobWorker | undefined;
    let folder: string;
    let workflow: string;
    const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
      const res = await t.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
      return { status: res.statusCode, body: res.body.startsWith('{') ? res.json() : res.body };
    };
    const events = async (runId: string, headers: Record<string, string> = {}) => {
      const res = await t.app.inject({ method: 'GET', url: `/api/runs/${runId}/events`, headers });
      expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      return parseSse(res.body);
    };
    const finished = (runId: string) =>
      waitFor(async () => {
        const run = (await call('GET', `/api/runs/${runId}`)).body;
        return ['succeeded', 'failed', 'cancelled'].includes(run.status) && run;
      }, 30_000);

    beforeAll(async () => {
      t = await testApp(backend);
      folder = tempDir('oxy-runs-');
      fs.writeFileSync(path.join(folder, 'sales.csv'), 'store,region,amount\ns1,north,10\ns2,north,20\ns3,south,5\n');
      const ws = (await call('POST', '/api/workspaces', { name: 'W', slug: `runs-${backend}` })).body.id;
      const project = (await call('POST', '/api/projects', { workspace_id: ws, name: 'P' })).body.id;
      const db = await call('POST', '/api/databases', {
        project_id: project,
        name: 'sales',
        kind: 'duckdb',
        config: { dataset: folder },
      });
      expect(db.status).toBe(201);
      workflow = (await call('POST', '/api/workflows', { project_id: project, name: 'report', definition: WORKFLOW }))
        .body.id;
      worker = new JobWorker(t.services.jobs, t.services.jobHandlers, { pollMs: 20 });
    });
    afterAll(async () => {
      await worker?.stop();
      await t?.close();
    });

    it('refuses variables the workflow does not declare or of the wrong type, creating no run', async () => {
      const unknown = await call('POST', `/api/workflows/${workflow}/runs`, { variables: { city: 'x' } });
      expect([unknown.status, unknown.body.error.message]).toEqual([400, 'the workflow has no variable city']);
      const wrong = await call('POST', `/api/workflows/${workflow}/runs`, { variables: { region: 3 } });
      expect([wrong.status, wrong.body.error.message]).toEqual([400, 'variable region must be string']);
      expect((await call('GET', `/api/runs?workflow_id=${workflow}`)).body.items).toEqual([]);
    });

    it('numbers runs per workflow, fails at the failing step, and streams every event in order', async () => {
      const first = await call('POST', `/api/workflows/${workflow}/runs`, {});
      expect([first.status, first.body.run_index, first.body.status]).toEqual([202, 1, 'pending']);
      worker!.start();
      const run = await finished(first.body.id);
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/^task late failed: .*nope/);
      const stream = await events(first.body.id);
      expect(stream.map((e) => e.id)).toEqual(stream.map((_, i) => i + 1));
      expect(stream.map((e) => `${e.event}${e.data.path ? ` ${String(e.data.path)}` : ''}`)).toEqual([
        'run_queued',
        'run_started',
        'step_started stores',
        'step_finished stores',
        'step_started each',
        'step_started each[0].line',
        'step_finished each[0].line',
        'step_started each[1].line',
        'step_finished each[1].line',
        'step_finished each',
        'step_started late',
        'step_finished late',
        'run_finished',
      ]);
      expect(stream[3]!.data).toMatchObject({ status: 'succeeded', summary: '2 rows' });
      expect(stream.at(-1)!.data).toMatchObject({ status: 'failed' });
      const steps = (await call('GET', `/api/runs/${first.body.id}/steps`)).body.items;
      expect(steps.map((s: { path: string; status: string }) => `${s.path}:${s.status}`)).toEqual([
        'stores:succeeded',
        'each:succeeded',
        'each[0].line:succeeded',
        'each[1].line:succeeded',
        'late:failed',
      ]);
      expect(steps[0].input.sql).toContain("where region = 'north'");
    });

    it('resumes a stream after Last-Event-ID', async () => {
      const run = (await call('GET', `/api/runs?workflow_id=${workflow}`)).body.items[0];
      const rest = await events(run.id, { 'last-event-id': '10' });
      expect(rest.map((e) => e.id)).toEqual([11, 12, 13]);
    });

    it('retries from the failed step, reusing the outputs of the steps that succeeded', async () => {
      const run = (await call('GET', `/api/runs?workflow_id=${workflow}`)).body.items[0];
      // The fix: the failing task's SQL (a retry runs the workflow as it is now).
      const fixed = await call('PATCH', `/api/workflows/${workflow}`, {
        definition: WORKFLOW.replace('count(nope)', 'count(*)'),
      });
      expect(fixed.status).toBe(200);
      const retried = await call('POST', `/api/runs/${run.id}/retry`);
      expect([retried.status, retried.body.status, retried.body.run_index]).toEqual([202, 'pending', 1]);
      const done = await finished(run.id);
      expect([done.status, done.error]).toEqual(['succeeded', null]);
      const after = (await events(run.id, { 'last-event-id': '13' })).map(
        (e) =>
          `${e.event}${e.data.path ? ` ${String(e.data.path)}` : ''}${e.data.status ? ` ${String(e.data.status)}` : ''}`,
      );
      expect(after).toEqual([
        'run_retried',
        'run_started',
        'step_finished stores reused',
        'step_finished each reused',
        'step_started late',
        'step_finished late succeeded',
        'run_finished succeeded',
      ]);
      const again = await call('POST', `/api/runs/${run.id}/retry`);
      expect([again.status, again.body.error.code]).toEqual([409, 'conflict']);
    });

    it('cancels a queued run at once, and a running one with its statement', async () => {
      await worker!.stop();
      const queued = (await call('POST', `/api/workflows/${workflow}/runs`, {})).body;
      expect(queued.run_index).toBe(2);
      const cancelled = await call('POST', `/api/runs/${queued.id}/cancel`);
      expect([cancelled.status, cancelled.body.status]).toEqual([200, 'cancelled']);
      expect((await call('GET', `/api/jobs/${queued.job_id}`)).body.status).toBe('cancelled');

      const slow = await call('POST', '/api/workflows', {
        project_id: (await call('GET', `/api/workflows/${workflow}`)).body.project_id,
        name: 'slow',
        definition:
          'tasks:\n  - name: spin\n    type: execute_sql\n    database: sales\n    sql_query: select count(*) from range(100000000000) a\n  - name: never\n    type: formatter\n    template: x\n',
      });
      const running = (await call('POST', `/api/workflows/${slow.body.id}/runs`, {})).body;
      worker = new JobWorker(t.services.jobs, t.services.jobHandlers, { pollMs: 20 });
      worker.start();
      await waitFor(async () => (await call('GET', `/api/runs/${running.id}`)).body.status === 'running');
      const stop = await call('POST', `/api/runs/${running.id}/cancel`);
      expect(stop.status).toBe(200);
      const run = await finished(running.id);
      expect(run.status).toBe('cancelled');
      const stream = await events(running.id);
      expect(stream.map((e) => e.event)).toContain('run_cancel_requested');
      expect(stream.some((e) => e.data.path === 'never')).toBe(false);
      expect((await call('POST', `/api/runs/${running.id}/cancel`)).status).toBe(409);
    });
  });
}
