import { stringify } from 'csv-stringify/sync';
import { markdownTable, templateValue, type TaskOutput } from './task-output.js';

/** A task's output as the text of an export file in `format` (Oxy's `export.format`). */
export function exportOutput(output: TaskOutput, format: string, input: string | undefined): string {
  switch (format) {
    case 'csv':
      if (output.kind === 'table') {
        const cells = output.rows.map((row) =>
          row.map((cell) => (cell !== null && typeof cell === 'object' ? JSON.stringify(cell) : cell)),
        );
        return stringify([output.columns.map((c) => c.name), ...cells]);
      }
      if (output.kind === 'text') return output.text;
      throw new Error('a csv export needs an SQL result or text');
    case 'json':
      return `${JSON.stringify(output.kind === 'text' ? output.text : templateValue(output), null, 2)}\n`;
    case 'sql':
      if (input === undefined) throw new Error('an sql export needs an execute_sql task (it writes the SQL that ran)');
      return input.endsWith('\n') ? input : `${input}\n`;
    case 'txt':
      if (output.kind === 'table') return `${markdownTable(output)}\n`;
      if (output.kind === 'text') return output.text;
      return `${JSON.stringify(templateValue(output), null, 2)}\n`;
    default:
      throw new Error(`${format} exports are not supported by oxy (use csv, json, sql or txt)`);
  }
}
