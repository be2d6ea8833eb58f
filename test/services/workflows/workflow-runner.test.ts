import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/backends.js';
import { ProjectDatabases } from '../../../src/services/project/project-databases.js';
import { ProjectFiles } from '../../../src/services/project/project-files.js';
import { readProjectFolder } from '../../../src/services/project/project-folder.js';
import type { RunEvent } from '../../../src/services/workflows/run-context.js';
import type { TaskOutput } from '../../../src/services/workflows/task-output.js';
import { WorkflowRunner, type RunOptions } from '../../../src/services/workflows/workflow-runner.js';

/** The runner on a real DuckDB dataset folder in a real Oxy project folder. */
describe('workflow runner', () => {
  let root: string;
  let databases: ProjectDatabases;

  beforeAll(() => {
    root = tempDir('oxy-runner-');
    fs.mkdirSync(path.join(root, '.db'));
    fs.writeFileSync(
      path.join(root, '.db', 'sales.csv'),
      "store,region,amount\ns1,north,10\ns2,north,20\ns3,south,5\no'hara,south,7\n",
    );
    fs.writeFileSync(
      path.join(root, 'config.yml'),
      'databases:\n  - name: local\n    type: duckdb\n    dataset: .db/\n',
    );
    databases = new ProjectDatabases(readProjectFolder(root), {});
  });
  afterAll(async () => databases.close());

  async function run(text: string, options: Partial<RunOptions> = {}) {
    const events: RunEvent[] = [];
    const runner = new WorkflowRunner({
      databases,
      files: new ProjectFiles(root),
      onEvent: (e) => void events.push(e),
      ...options,
    });
    const outputs = await runner.run(text);
    return { outputs, events };
  }
  const text = (output: TaskOutput | undefined) => (output?.kind === 'text' ? output.text : undefined);

  it('runs SQL with variables quoted by sqlquote, so a quote in a value stays data', async () => {
    const wf = [
      'variables:',
      '  store: { type: string }',
      'tasks:',
      '  - name: one',
      '    type: execute_sql',
      '    database: local',
      "    sql_query: select amount from 'sales.csv' where store = {{ variables.store | sqlquote }}",
    ].join('\n');
    const { outputs } = await run(wf, { variables: { store: "o'hara" } });
    expect(outputs.one).toMatchObject({ kind: 'table', rows: [['7']], rowCount: 1 });
  });

  it('gives templates Oxy table objects: rows, columns by name, length, markdown', async () => {
    const wf = [
      'tasks:',
      '  - name: t',
      '    type: execute_sql',
      '    database: local',
      "    sql_query: select store, amount from 'sales.csv' where region = 'north' order by store",
      '  - name: f',
      '    type: formatter',
      '    template: "{{ t | length }}|{{ t.store[1] }}|{% for r in t %}{{ r.amount }},{% endfor %}|{{ t }}"',
    ].join('\n');
    const { outputs } = await run(wf);
    expect(text(outputs.f)).toBe('2|s2|10,20,|| store | amount |\n| --- | --- |\n| s1 | 10 |\n| s2 | 20 |');
  });

  it('loops over a column (with concurrency, keeping order) and branches per value', async () => {
    const wf = [
      'tasks:',
      '  - name: t',
      '    type: execute_sql',
      '    database: local',
      "    sql_query: select store from 'sales.csv' order by store",
      '  - name: each',
      '    type: loop_sequential',
      '    values: "{{ t.store }}"',
      '    concurrency: 3',
      '    tasks:',
      '      - name: pick',
      '        type: conditional',
      '        conditions:',
      '          - if: "{{ each.value == \'s2\' }}"',
      '            tasks: [{ name: hit, type: formatter, template: "hit {{ each.value }}" }]',
      '        else: [{ name: miss, type: formatter, template: "miss {{ each.value }}" }]',
      '  - name: all',
      '    type: formatter',
      '    template: "{% for i in each %}{{ i.pick.hit or i.pick.miss }};{% endfor %}"',
    ].join('\n');
    const { outputs, events } = await run(wf);
    expect(text(outputs.all)).toBe("miss o'hara;miss s1;hit s2;miss s3;");
    const finished = events.filter((e) => e.type === 'step_finished').map((e) => e.path);
    expect(finished).toContain('each[2].pick.hit');
    expect(finished.at(-1)).toBe('all');
  });

  it('fails the run at the failing step, naming it, and runs nothing after it', async () => {
    const wf = [
      'tasks:',
      '  - name: ok',
      '    type: formatter',
      '    template: fine',
      '  - name: bad',
      '    type: execute_sql',
      '    database: local',
      "    sql_query: select nope from 'sales.csv'",
      '  - name: never',
      '    type: formatter',
      '    template: x',
    ].join('\n');
    const events: RunEvent[] = [];
    await expect(run(wf, { onEvent: (e) => void events.push(e) })).rejects.toThrow(/^task bad failed: .*nope/);
    expect(
      events.filter((e) => e.type === 'step_finished').map((e) => [e.path, (e as { status: string }).status]),
    ).toEqual([
      ['ok', 'succeeded'],
      ['bad', 'failed'],
    ]);
  });

  it('refuses a write through the read-only path', async () => {
    const wf =
      'tasks:\n  - name: w\n    type: execute_sql\n    database: local\n    sql_query: create table x as select 1\n';
    await expect(run(wf)).rejects.toThrow(/^task w failed: statement refused/);
  });

  it('replays the outputs a retry already has and runs the rest', async () => {
    const wf =
      "tasks:\n  - name: a\n    type: formatter\n    template: A\n  - name: b\n    type: formatter\n    template: '{{ a }}B'\n";
    const { outputs, events } = await run(wf, { replay: new Map([['a', { kind: 'text', text: 'stored' }]]) });
    expect(text(outputs.b)).toBe('storedB');
    expect(events.map((e) => `${e.type}:${e.path}:${'status' in e ? e.status : ''}`)).toEqual([
      'step_finished:a:reused',
      'step_started:b:',
      'step_finished:b:succeeded',
    ]);
  });

  it('runs a nested workflow with variables and refuses one that includes itself', async () => {
    fs.writeFileSync(
      path.join(root, 'child.procedure.yml'),
      'variables:\n  who: { type: string, default: nobody }\ntasks:\n  - name: hello\n    type: formatter\n    template: "hi {{ who }}"\n',
    );
    fs.writeFileSync(
      path.join(root, 'loop.procedure.yml'),
      'tasks:\n  - name: again\n    type: workflow\n    src: loop.procedure.yml\n',
    );
    const wf =
      "tasks:\n  - name: child\n    type: workflow\n    src: child.procedure.yml\n    variables: { who: '{{ 1 + 1 }}' }\n  - name: out\n    type: formatter\n    template: '{{ child.hello }}'\n";
    expect(text((await run(wf)).outputs.out)).toBe('hi 2');
    await expect(
      run(fs.readFileSync(path.join(root, 'loop.procedure.yml'), 'utf8'), { source: 'loop.procedure.yml' }),
    ).rejects.toThrow('workflow includes itself: loop.procedure.yml → loop.procedure.yml');
  });

  it('exports csv, json, sql and txt where the file says, and reuses a cache', async () => {
    const wf = [
      'tasks:',
      '  - name: t',
      '    type: execute_sql',
      '    database: local',
      "    sql_query: select store, amount from 'sales.csv' where region = 'south' order by store",
      '    export: { path: "out/{{ 1 + 1 }}.csv", format: csv }',
      '    cache: { enabled: true, path: cache/t.json }',
      '  - name: j',
      '    type: formatter',
      '    template: done',
      '    export: { path: out/j.json, format: json }',
    ].join('\n');
    await run(wf);
    expect(fs.readFileSync(path.join(root, 'out', '2.csv'), 'utf8')).toBe("store,amount\no'hara,7\ns3,5\n");
    expect(JSON.parse(fs.readFileSync(path.join(root, 'out', 'j.json'), 'utf8'))).toBe('done');
    // A second run reads the cache: change the cached rows and see them come back.
    const cached = JSON.parse(fs.readFileSync(path.join(root, 'cache', 't.json'), 'utf8')) as { rows: string[][] };
    cached.rows[0] = ['from-cache', '0'];
    fs.writeFileSync(path.join(root, 'cache', 't.json'), JSON.stringify(cached));
    await run(wf);
    expect(fs.readFileSync(path.join(root, 'out', '2.csv'), 'utf8')).toBe('store,amount\nfrom-cache,0\ns3,5\n');
  });

  it('checks variables against their schema and fills defaults', async () => {
    const wf =
      'variables:\n  n: { type: integer, default: 3 }\ntasks:\n  - name: f\n    type: formatter\n    template: "{{ n * 2 }}"\n';
    expect(text((await run(wf)).outputs.f)).toBe('6');
    await expect(run(wf, { variables: { n: 'x' } })).rejects.toThrow('variable n must be integer');
    await expect(run(wf, { variables: { m: 1 } })).rejects.toThrow('the workflow has no variable m');
  });

  it('stops between steps when cancelled', async () => {
    const controller = new AbortController();
    const wf =
      'tasks:\n  - name: a\n    type: formatter\n    template: A\n  - name: b\n    type: formatter\n    template: B\n';
    const events: RunEvent[] = [];
    const promise = run(wf, {
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'step_finished' && e.path === 'a') controller.abort();
      },
    });
    await expect(promise).rejects.toThrow('the run was cancelled');
    expect(events.some((e) => e.path === 'b')).toBe(false);
  });
});
