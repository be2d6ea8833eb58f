import { markdownTable, summarize, type TaskOutput } from '../workflows/task-output.js';

/** Rows of a workflow's last table given back to the model. */
const SUMMARY_ROWS = 50;

/** What a workflow tool answers: its last task's output, a table as markdown (first rows) or its text. */
export function workflowSummary(outputs: Record<string, TaskOutput>): string {
  const last = Object.values(outputs).at(-1);
  if (!last) return 'the workflow has no output';
  if (last.kind === 'text') return last.text;
  if (last.kind === 'table') {
    const shown = { ...last, rows: last.rows.slice(0, SUMMARY_ROWS) };
    const more =
      last.rows.length > SUMMARY_ROWS || last.truncated ? `\n(${summarize(last)}; first ${SUMMARY_ROWS} shown)` : '';
    return `${markdownTable(shown)}${more}`;
  }
  return summarize(last);
}
