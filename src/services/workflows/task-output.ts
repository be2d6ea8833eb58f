import type { Cell, ResultColumn } from '../connectors/connector.js';

/**
 * What a task produced, as plain JSON (stored in run_steps, reused by a retry):
 * an SQL result, text, the iterations of a loop, or the outputs of a group of tasks by name
 * (a conditional's branch, a nested workflow).
 */
export type TaskOutput =
  | { kind: 'table'; columns: ResultColumn[]; rows: Cell[][]; rowCount: number; truncated: boolean }
  | { kind: 'text'; text: string }
  | { kind: 'loop'; iterations: { value: unknown; outputs: Record<string, TaskOutput> }[] }
  | { kind: 'group'; outputs: Record<string, TaskOutput> };

/** Names a table column cannot take as a template property (they are the list's own). */
const RESERVED = new Set(['length', 'toString', 'constructor', '__proto__', 'prototype']);

/**
 * The value templates see for an output, as in Oxy: an SQL result is a list of rows (each a
 * mapping column → value; `| length`, `for row in result`), `result.column` is that column's
 * values, and `{{ result }}` prints a markdown table; a loop is a list of its iterations
 * (`value` plus its tasks' outputs by name); a group is its tasks' outputs by name.
 */
export function templateValue(output: TaskOutput): unknown {
  switch (output.kind) {
    case 'text':
      return output.text;
    case 'table': {
      const rows = output.rows.map((row) =>
        Object.fromEntries(output.columns.map((column, i) => [column.name, row[i] ?? null])),
      );
      const table = rows as unknown[] & Record<string, unknown>;
      output.columns.forEach((column, i) => {
        if (!RESERVED.has(column.name)) table[column.name] = output.rows.map((row) => row[i] ?? null);
      });
      Object.defineProperty(table, 'toString', { value: () => markdownTable(output), enumerable: false });
      return table;
    }
    case 'loop':
      return output.iterations.map((iteration) => ({ value: iteration.value, ...templateValues(iteration.outputs) }));
    case 'group':
      return templateValues(output.outputs);
  }
}

export function templateValues(outputs: Record<string, TaskOutput>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, templateValue(output)]));
}

function cellText(cell: Cell): string {
  if (cell === null) return '';
  const text = typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** A markdown table of a result, as `{{ result }}` prints it in Oxy. */
export function markdownTable(output: Extract<TaskOutput, { kind: 'table' }>): string {
  const header = `| ${output.columns.map((c) => cellText(c.name)).join(' | ')} |`;
  const rule = `| ${output.columns.map(() => '---').join(' | ')} |`;
  const rows = output.rows.map((row) => `| ${row.map(cellText).join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}

/** A short account of an output for progress lines and run steps: row counts, not rows. */
export function summarize(output: TaskOutput): string {
  switch (output.kind) {
    case 'table':
      return `${output.rowCount} row${output.rowCount === 1 ? '' : 's'}${output.truncated ? ' (truncated)' : ''}`;
    case 'text':
      return output.text.length > 80
        ? `${output.text.slice(0, 77).replaceAll('\n', ' ')}...`
        : output.text.replaceAll('\n', ' ');
    case 'loop':
      return `${output.iterations.length} iteration${output.iterations.length === 1 ? '' : 's'}`;
    case 'group':
      return `${Object.keys(output.outputs).length} task${Object.keys(output.outputs).length === 1 ? '' : 's'}`;
  }
}
