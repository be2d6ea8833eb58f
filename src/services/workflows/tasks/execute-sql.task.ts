import { Type } from '@sinclair/typebox';
import type { TaskType } from './task-type.js';

function renderedVariables(task: Readonly<Record<string, unknown>>, render: (t: string) => string) {
  const variables = (task.variables ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, render(value)]));
}

/** Runs one read-only statement (`sql_query` inline or `sql_file` in the project folder) on a named database. */
export const executeSqlTask: TaskType = {
  type: 'execute_sql',
  fields: {
    database: Type.String({ minLength: 1 }),
    sql_query: Type.String({ minLength: 1 }),
    sql_file: Type.String({ minLength: 1 }),
    variables: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
    dry_run_limit: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  },
  required: ['database'],
  templates: (task) => (typeof task.sql_query === 'string' ? [['sql_query']] : []),
  check: (task) => {
    const hasQuery = task.sql_query !== undefined;
    const hasFile = task.sql_file !== undefined;
    if (hasQuery && hasFile) return [{ path: ['sql_file'], message: 'give either sql_query or sql_file, not both' }];
    if (!hasQuery && !hasFile) return [{ path: [], message: 'missing field `sql_query` (or `sql_file`)' }];
    return [];
  },
  run: async (task, context) => {
    const source =
      typeof task.sql_query === 'string' ? task.sql_query : await context.files.readText(String(task.sql_file));
    const variables = renderedVariables(task, (t) => context.render(t));
    const sql = context.render(source, { ...variables, variables: { ...variables } });
    context.reportInput(sql);
    const limit = typeof task.dry_run_limit === 'number' ? task.dry_run_limit : undefined;
    const result = await context.databases.run(String(task.database), sql, {
      ...(limit === undefined ? {} : { limit }),
      signal: context.signal,
    });
    return {
      kind: 'table',
      columns: result.columns,
      rows: result.rows,
      rowCount: result.rowCount,
      truncated: result.truncated,
    };
  },
};
