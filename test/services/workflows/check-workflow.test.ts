import { describe, expect, it } from 'vitest';
import { checkWorkflow } from '../../../src/services/workflows/check-workflow.js';
import { formatPath } from '../../../src/services/workflows/yaml-source.js';

/** Each problem as `line:column field: message`, the way `oxy validate` prints it. */
function problems(text: string): string[] {
  return checkWorkflow(text).problems.map((p) => `${p.line}:${p.column} ${formatPath(p.path)}: ${p.message}`);
}

const EVERY_TASK_TYPE = `
name: every_type
description: one of each task type, nested
variables:
  region: { type: string, default: north }
  year: 2024
tasks:
  - name: stores
    type: execute_sql
    database: sales
    sql_query: select name from stores where region = {{ variables.region | sqlquote }}
    export: { path: out/stores.csv, format: csv }
    cache: { enabled: true, path: cache/stores.json }
  - name: from_file
    type: execute_sql
    database: sales
    sql_file: queries/total.sql
    dry_run_limit: 10
  - name: per_store
    type: loop_sequential
    values: "{{ stores.name }}"
    concurrency: 2
    tasks:
      - name: line
        type: formatter
        template: "{{ per_store.value }}"
  - name: fixed_loop
    type: loop_sequential
    values: [a, b]
    tasks:
      - name: echo
        type: formatter
        template: "{{ fixed_loop.value }}"
  - name: branch
    type: conditional
    conditions:
      - if: "{{ from_file.n[0] > 10 }}"
        tasks:
          - name: big
            type: formatter
            template: big
    else:
      - name: small
        type: formatter
        template: small
  - name: child
    type: workflow
    src: child.procedure.yml
    variables: { store: "{{ stores.name[0] }}" }
  - name: summary
    type: agent
    agent_ref: analyst.agent.yml
    prompt: "Summarise {{ stores }}"
  - name: chart
    type: visualize
    data: stores
`;

describe('workflow definitions (Oxy format)', () => {
  it('accepts every task type, nested, with Oxy field names', () => {
    expect(problems(EVERY_TASK_TYPE)).toEqual([]);
  });

  it('accepts the three ways Oxy files write variables', () => {
    const task = 'tasks:\n  - name: t\n    type: formatter\n    template: x\n';
    expect(problems(`variables:\n  fruit: apple\n${task}`)).toEqual([]);
    expect(problems(`variables:\n  store: { type: string, default: s1 }\n${task}`)).toEqual([]);
    expect(
      problems(`variables:\n  type: object\n  properties:\n    n: { type: integer, default: 3 }\n${task}`),
    ).toEqual([]);
  });

  it('names an unknown field at its key, with the field it probably meant', () => {
    const text =
      'tasks:\n  - name: q\n    type: execute_sql\n    database: d\n    sql_query: select 1\n    dry_run_limt: 5\n';
    expect(problems(text)).toEqual([
      '6:5 tasks[0].dry_run_limt: unknown field `dry_run_limt` (did you mean `dry_run_limit`?)',
    ]);
  });

  it('names a missing required field at the task that lacks it', () => {
    expect(problems('tasks:\n  - name: q\n    type: execute_sql\n    sql_query: select 1\n')).toEqual([
      '2:5 tasks[0]: missing field `database`',
    ]);
    expect(problems('tasks:\n  - name: q\n    type: execute_sql\n    database: d\n')).toEqual([
      '2:5 tasks[0]: missing field `sql_query` (or `sql_file`)',
    ]);
  });

  it('refuses both sql_query and sql_file', () => {
    const text = 'tasks:\n  - name: q\n    type: execute_sql\n    database: d\n    sql_query: s\n    sql_file: f.sql\n';
    expect(problems(text)).toEqual(['6:15 tasks[0].sql_file: give either sql_query or sql_file, not both']);
  });

  it('tells an unknown type from an Oxy type oxy cannot run', () => {
    expect(problems('tasks:\n  - name: q\n    type: formater\n    template: x\n')[0]).toMatch(
      /^3:11 tasks\[0\]\.type: `formater` is not a task type \(did you mean `formatter`\?\)/,
    );
    expect(problems('tasks:\n  - name: q\n    type: looker_query\n')[0]).toMatch(
      /^3:11 tasks\[0\]\.type: `looker_query` is an Oxy task type oxy cannot run/,
    );
  });

  it('reports every problem of a file, nested ones included, in line order', () => {
    const text = [
      'tasks:',
      '  - name: loop',
      '    type: loop_sequential',
      '    values: [1, 2]',
      '    tasks:',
      '      - name: bad-name',
      '        type: formatter',
      '        template: x',
      '      - name: ok',
      '        type: formatter',
      '        template: "{{ a "',
      '        export: { path: out.xls, format: xls }',
      '  - name: loop',
      '    type: formatter',
      '    template: y',
    ].join('\n');
    expect(problems(text)).toEqual([
      '6:15 tasks[0].tasks[0].name: task name `bad-name` must start with a letter and hold only letters, digits and underscores',
      '11:19 tasks[0].tasks[1].template: template syntax: expected variable end',
      '12:42 tasks[0].tasks[1].export.format: must be one of: "sql", "csv", "json", "txt", "docx"',
      '13:11 tasks[1].name: task name `loop` is used twice in this list (also task 0)',
    ]);
  });

  it('checks template filters against the environment workflows render with', () => {
    const text =
      'tasks:\n  - name: f\n    type: formatter\n    template: |\n      ok {{ a | sqlquote }}\n      {{ a | no_such_filter }}\n';
    expect(problems(text)).toEqual([
      '4:15 tasks[0].template: unknown template filter `no_such_filter` (template line 2)',
    ]);
  });

  it('checks variable defaults against their own schema', () => {
    const text =
      'variables:\n  n: { type: integer, default: many }\ntasks:\n  - name: t\n    type: formatter\n    template: x\n';
    expect(problems(text)).toEqual(['2:32 variables.n.default: default value must be integer']);
  });

  it('names a type mismatch in a union field once', () => {
    const text =
      'tasks:\n  - name: q\n    type: execute_sql\n    database: d\n    sql_query: s\n    dry_run_limit: ten\n';
    expect(problems(text)).toEqual(['6:20 tasks[0].dry_run_limit: must be an integer or null']);
  });

  it('refuses top-level fields oxy does not know, and a workflow without tasks', () => {
    expect(problems('name: x\ntaks: []\n')).toEqual([
      '1:1 : missing field `tasks`',
      '2:1 taks: unknown field `taks` (did you mean `tasks`?)',
    ]);
  });

  it('gives YAML syntax errors their position', () => {
    expect(problems('tasks:\n  - name: a\n  name: b\n    x: [\n')[0]).toMatch(/^\d+:\d+ : invalid YAML: /);
  });
});
