import type { Cell, QueryResult } from '../services/connectors/connector.js';

export const QUERY_FORMATS = ['table', 'csv', 'json'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

/** A result as text: an aligned table for people, CSV (RFC 4180) or JSON for scripts. */
export function renderResult(result: QueryResult, format: QueryFormat): string {
  if (format === 'json') return `${JSON.stringify(result)}\n`;
  if (format === 'csv')
    return [result.columns.map((c) => c.name), ...result.rows.map((r) => r.map(text))].map(csvLine).join('');
  return table(result);
}

function text(cell: Cell): string {
  if (cell === null) return '';
  return typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
}

function csvLine(cells: string[]): string {
  return `${cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')}\r\n`;
}

function table(result: QueryResult): string {
  const header = result.columns.map((c) => c.name);
  const body = result.rows.map((row) => row.map((cell) => (cell === null ? 'NULL' : text(cell).replace(/\s/g, ' '))));
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...body.map((r) => r[i]!.length))));
  const line = (cells: string[]) =>
    cells.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join(' │ ');
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [line(header), rule, ...body.map(line)].map((l) => `${l.trimEnd()}\n`).join('');
}

/** The line under a table: how many rows, whether capped, how long it took. */
export function summary(result: QueryResult): string {
  const rows = `${result.rowCount} row${result.rowCount === 1 ? '' : 's'}`;
  return `(${rows}${result.truncated ? `, truncated at the limit: raise --limit` : ''}; ${result.elapsedMs} ms)\n`;
}
