import type { QueryResult } from './chart-data-source.js';
import type { ChartSpec } from './chart-spec.js';
import { cellText, columnIndex, numberFormatter, toNumber } from './chart-values.js';

const ROW_HEIGHT = 24;
const PADDING = 12;
const FONT = '12px sans-serif';

/** The columns a table shows: x then y when the spec names them, else every column of the result. */
function shownColumns(spec: ChartSpec, result: QueryResult): number[] {
  const named = [
    ...(spec.x === undefined ? [] : [{ field: 'x', name: spec.x }]),
    ...(spec.y ?? []).map((name, i) => ({ field: `y.${i}`, name })),
  ];
  if (!named.length) return result.columns.map((_, i) => i);
  return named.map(({ field, name }) => columnIndex(result, field, name));
}

function text(x: number, y: number, value: string, width: number, bold = false): Record<string, unknown> {
  return {
    type: 'text',
    x,
    y,
    style: {
      text: value,
      font: bold ? `bold ${FONT}` : FONT,
      fill: '#333',
      width,
      overflow: 'truncate',
      verticalAlign: 'middle',
    },
  };
}

/**
 * A `table` chart as ECharts graphic elements (ECharts has no table series): a header row, as
 * many rows as fit the height, and a last line saying how many did not. Numbers in the y
 * columns are written in the spec's number format.
 */
export function tableOption(
  spec: ChartSpec,
  result: QueryResult,
  size: { width: number; height: number; title?: string },
): Record<string, unknown> {
  const columns = shownColumns(spec, result);
  const yColumns = new Set((spec.y ?? []).map((name) => result.columns.findIndex((c) => c.name === name)));
  const format = numberFormatter(spec);
  const top = (spec.title ?? size.title) ? 44 : PADDING;
  const cellWidth = (size.width - 2 * PADDING) / Math.max(columns.length, 1);
  const fits = Math.max(Math.floor((size.height - top - PADDING) / ROW_HEIGHT) - 1, 0);
  const shown = result.rows.length > fits ? Math.max(fits - 1, 0) : result.rows.length;
  const centre = (line: number) => top + line * ROW_HEIGHT + ROW_HEIGHT / 2;
  const cell = (row: number, col: number) => {
    const value = result.rows[row]![col];
    if (format && yColumns.has(col)) {
      const n = toNumber(value, result.columns[col]!.name, row);
      return n === null ? '' : format(n);
    }
    return cellText(value);
  };
  const elements: Record<string, unknown>[] = [];
  columns.forEach((col, i) => {
    elements.push(text(PADDING + i * cellWidth, centre(0), result.columns[col]!.name, cellWidth - 8, true));
  });
  elements.push({
    type: 'line',
    shape: { x1: PADDING, y1: top + ROW_HEIGHT, x2: size.width - PADDING, y2: top + ROW_HEIGHT },
    style: { stroke: '#999' },
  });
  for (let row = 0; row < shown; row++)
    columns.forEach((col, i) => {
      elements.push(text(PADDING + i * cellWidth, centre(row + 1), cell(row, col), cellWidth - 8));
    });
  const hidden = result.rows.length - shown;
  if (hidden > 0)
    elements.push(text(PADDING, centre(shown + 1), `… ${hidden} more row${hidden === 1 ? '' : 's'}`, size.width));
  return { graphic: { elements } };
}
