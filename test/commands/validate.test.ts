import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/backends.js';
import { runOxy } from '../support/run-cli.js';

function project(files: Record<string, string>): string {
  const root = tempDir('oxy-validate-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

const CONFIG = 'databases:\n  - name: sales\n    type: duckdb\n    path: sales.duckdb\n';
const GOOD =
  'name: good\ntasks:\n  - name: q\n    type: execute_sql\n    database: sales\n    sql_file: queries/q.sql\n';

describe('oxy validate', () => {
  it('finds the project folder above the current one and passes good files', async () => {
    const root = project({ 'config.yml': CONFIG, 'queries/q.sql': 'select 1', 'workflows/good.procedure.yml': GOOD });
    const res = await runOxy(['validate'], {}, { cwd: path.join(root, 'workflows') });
    expect(res.stderr).toBe('1 workflow file checked, no problems\n');
    expect(res.code).toBe(0);
  });

  it('reports every problem as file:line:column with the field, and exits 1', async () => {
    const root = project({
      'config.yml': CONFIG,
      'a.procedure.yml':
        'tasks:\n  - name: q\n    type: execute_sql\n    database: warehouse\n    sql_file: missing.sql\n',
      'b.workflow.yml': 'tasks:\n  - name: q\n    type: formatter\n    templte: x\n',
    });
    const res = await runOxy(['validate', root]);
    expect(res.code).toBe(1);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((line) => line.slice(line.lastIndexOf('/') + 1));
    expect(lines).toEqual([
      'a.procedure.yml:4:15: unknown database `warehouse` (config.yml has: sales) (tasks[0].database)',
      'a.procedure.yml:5:15: sql_file `missing.sql` does not exist (paths are relative to the project folder) (tasks[0].sql_file)',
      'b.workflow.yml:2:5: missing field `template` (tasks[0])',
      'b.workflow.yml:4:5: unknown field `templte` (did you mean `template`?) (tasks[0].templte)',
    ]);
    expect(res.stderr).toBe('2 workflow files checked, 4 problems\n');
  });

  it('refuses a nested workflow that includes itself, naming the chain', async () => {
    const nest = (name: string, src: string) => `tasks:\n  - name: ${name}\n    type: workflow\n    src: ${src}\n`;
    const root = project({
      'config.yml': CONFIG,
      'a.procedure.yml': nest('to_b', 'b.procedure.yml'),
      'b.procedure.yml': nest('to_a', 'a.procedure.yml'),
    });
    const res = await runOxy(['validate', path.join(root, 'a.procedure.yml'), '--format', 'json']);
    expect(res.code).toBe(1);
    const out = JSON.parse(res.stdout) as {
      problems: { file: string; line: number; field: string; message: string }[];
    };
    expect(out.problems.map((p) => [path.basename(p.file), p.line, p.field, p.message])).toEqual([
      [
        'b.procedure.yml',
        4,
        'tasks[0].src',
        'workflow includes itself: a.procedure.yml → b.procedure.yml → a.procedure.yml',
      ],
    ]);
  });

  it('gives a usage error for a path that does not exist', async () => {
    const res = await runOxy(['validate', '/nonexistent/oxy-project']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^Error: \/nonexistent\/oxy-project does not exist\nHint: /);
  });
});
