import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/backends.js';
import { runOxy } from '../support/run-cli.js';

/** `oxy run` as a user runs it: inside an Oxy project folder, no server, no application database. */
describe('oxy run', () => {
  let root: string;
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  };

  beforeAll(() => {
    root = tempDir('oxy-run-');
    write('.db/sales.csv', 'store,amount\ns1,10\ns2,20\ns3,5\n');
    write('config.yml', 'databases:\n  - name: local\n    type: duckdb\n    dataset: .db/\n');
    write(
      'workflows/top.procedure.yml',
      [
        'variables:',
        '  min: { type: integer, default: 0 }',
        'tasks:',
        '  - name: big',
        '    type: execute_sql',
        '    database: local',
        "    sql_query: select store from 'sales.csv' where amount > {{ min }} order by store",
        '    export: { path: output/big.csv, format: csv }',
        '  - name: say',
        '    type: formatter',
        '    template: "{{ big | length }} stores: {{ big.store | join(\',\') }}"',
      ].join('\n'),
    );
  });

  it('runs a workflow from inside its project folder, typed variables, progress on stderr, output on stdout', async () => {
    const res = await runOxy(['run', 'top.procedure.yml', '-v', 'min=8'], {}, { cwd: path.join(root, 'workflows') });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('2 stores: s1,s2\n');
    expect(res.stderr).toMatch(
      /^✓ big {2}2 rows {2}\d+ ms\n✓ say {2}2 stores: s1,s2 {2}\d+ ms\nrun succeeded in \d+ ms\n$/,
    );
    expect(fs.readFileSync(path.join(root, 'output', 'big.csv'), 'utf8')).toBe('store\ns1\ns2\n');
  });

  it('prints every output as JSON with --format json', async () => {
    const res = await runOxy(['run', path.join(root, 'workflows/top.procedure.yml'), '--format', 'json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).big).toMatchObject({ kind: 'table', rowCount: 3 });
  });

  it('exits 2 for a variable of the wrong type, naming it', async () => {
    const res = await runOxy(['run', path.join(root, 'workflows/top.procedure.yml'), '-v', 'min=lots']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      'Error: variable min must be a whole number, not "lots"\nHint: the workflow\'s variables say each one\'s type\n',
    );
  });

  it('exits 1 when a step fails, with the step and the reason', async () => {
    write(
      'workflows/bad.procedure.yml',
      'tasks:\n  - name: q\n    type: execute_sql\n    database: nowhere\n    sql_query: select 1\n',
    );
    const res = await runOxy(['run', path.join(root, 'workflows/bad.procedure.yml')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Error: task q failed: config.yml has no database nowhere\n');
  });

  it('refuses an invalid file before running anything', async () => {
    write('workflows/typo.procedure.yml', 'tasks:\n  - name: q\n    type: formatter\n    templat: x\n');
    const res = await runOxy(['run', path.join(root, 'workflows/typo.procedure.yml')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^Error: workflows\/typo\.procedure\.yml is not a valid workflow: line 2: missing field `template` \(and 1 more problem\)\nHint: run `oxy validate`/,
    );
  });
});
