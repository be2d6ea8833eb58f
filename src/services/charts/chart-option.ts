import type { QueryResult } from './chart-data-source.js';
import type { ChartSpec } from './chart-spec.js';
import { DATE_FORMATS } from './chart-spec.js';
import { columnIndex, dateLabeller, isDateType, isNumberType, toNumber, toTime } from './chart-values.js';
import { tableOption } from './table-option.js';

/** An Apache ECharts option: plain JSON (no functions), so the API can return it as it is. */
export type ChartOption = Record<string, unknown>;

export interface OptionContext {
  /** The title drawn when the spec has none (the chart's `title` column). */
  title?: string;
  width: number;
  height: number;
}

type AxisType = 'category' | 'time' | 'value';
type Point = [number, number | null];

/** What every chart shares: no animation (the same input draws the same picture), UTC dates, the title. */
function baseOption(spec: ChartSpec, context: OptionContext): ChartOption {
  const title = spec.title ?? context.title;
  return {
    animation: false,
    useUTC: true,
    textStyle: { fontFamily: 'sans-serif' },
    ...(title ? { title: { text: title, left: 'center', top: 8 } } : {}),
    ...(spec.colors ? { color: spec.colors } : {}),
  };
}

function xAxisType(spec: ChartSpec, type: string): AxisType {
  if (spec.x_type) return spec.x_type;
  if (spec.type === 'bar') return 'category';
  if (isDateType(type)) return 'time';
  return spec.type === 'scatter' && isNumberType(type) ? 'value' : 'category';
}

function seriesBase(spec: ChartSpec, name: string): ChartOption {
  const stack = spec.stack ? { stack: 'total' } : {};
  switch (spec.type) {
    case 'bar':
      return { type: 'bar', name, ...stack };
    case 'area':
      return { type: 'line', name, areaStyle: {}, ...stack };
    case 'scatter':
      return { type: 'scatter', name, symbolSize: 8 };
    default:
      return { type: 'line', name };
  }
}

/** The rows as named lists of values: one per y column, or one per value of the series column. */
interface Grouped {
  names: string[];
  /** Row numbers of each group, in result order. */
  rows: number[][];
  y: number[];
}

function group(spec: ChartSpec, result: QueryResult): Grouped {
  const y = spec.y!.map((name, i) => columnIndex(result, `y.${i}`, name));
  if (spec.series === undefined)
    return { names: [...spec.y!], rows: spec.y!.map(() => result.rows.map((_, i) => i)), y };
  const s = columnIndex(result, 'series', spec.series);
  const groups = new Map<string, number[]>();
  result.rows.forEach((row, i) => {
    const key = row[s] === null || row[s] === undefined ? 'null' : String(row[s]);
    const rows = groups.get(key);
    if (rows) rows.push(i);
    else groups.set(key, [i]);
  });
  return { names: [...groups.keys()], rows: [...groups.values()], y: [y[0]!] };
}

function cartesianOption(spec: ChartSpec, result: QueryResult, context: OptionContext): ChartOption {
  const xi = columnIndex(result, 'x', spec.x!);
  const xColumn = result.columns[xi]!;
  const axis = xAxisType(spec, xColumn.type);
  const groups = group(spec, result);
  const yColumn = (g: number) => groups.y[groups.y.length === 1 ? 0 : g]!;
  const yName = (g: number) => result.columns[yColumn(g)]!.name;
  const yValue = (row: number, g: number) => toNumber(result.rows[row]![yColumn(g)], yName(g), row);
  const xValue = (row: number): number | null =>
    axis === 'time'
      ? toTime(result.rows[row]![xi], xColumn.name, row)
      : toNumber(result.rows[row]![xi], xColumn.name, row);

  let xAxis: ChartOption;
  let series: ChartOption[];
  if (axis === 'category') {
    const label = categoryLabeller(spec, result, xi, xColumn.type);
    const categories =
      spec.series === undefined ? result.rows.map((_, i) => label(i)) : unique(result.rows.map((_, i) => label(i)));
    const position = new Map(categories.map((c, i) => [c, i]));
    xAxis = { type: 'category', data: categories };
    series = groups.names.map((name, g) => {
      if (spec.series === undefined)
        return { ...seriesBase(spec, name), data: groups.rows[g]!.map((row) => yValue(row, g)) };
      const data: (number | null)[] = categories.map(() => null);
      for (const row of groups.rows[g]!) data[position.get(label(row))!] = yValue(row, g);
      return { ...seriesBase(spec, name), data };
    });
  } else {
    xAxis = { type: axis, ...(axis === 'value' ? { scale: true } : {}) };
    if (axis === 'time' && spec.date_format) xAxis.axisLabel = { formatter: DATE_FORMATS[spec.date_format] };
    series = groups.names.map((name, g) => {
      const points: Point[] = [];
      for (const row of groups.rows[g]!) {
        const x = xValue(row);
        if (x !== null) points.push([x, yValue(row, g)]);
      }
      // A line joins its points in x order, whatever order the query returned them in.
      if (spec.type !== 'scatter') points.sort((a, b) => a[0] - b[0]);
      return { ...seriesBase(spec, name), data: points };
    });
  }
  const legend = spec.legend ?? series.length > 1;
  const title = Boolean(spec.title ?? context.title);
  return {
    ...baseOption(spec, context),
    ...(legend ? { legend: { top: title ? 36 : 8 } } : {}),
    grid: {
      left: spec.y_label ? 72 : 56,
      right: 32,
      top: (title ? 40 : 16) + (legend ? 28 : 0) + 16,
      bottom: spec.x_label ? 56 : 40,
    },
    xAxis: { ...xAxis, ...axisName(spec.x_label, 32) },
    yAxis: { type: 'value', ...axisName(spec.y_label, 48) },
    series,
  };
}

function axisName(name: string | undefined, gap: number): ChartOption {
  return name ? { name, nameLocation: 'middle', nameGap: gap } : {};
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Category labels: dates written in the spec's date format, other values as text. */
function categoryLabeller(spec: ChartSpec, result: QueryResult, xi: number, type: string): (row: number) => string {
  const name = result.columns[xi]!.name;
  if (isDateType(type)) {
    const times = result.rows.map((row, i) => toTime(row[xi], name, i));
    const write = dateLabeller(spec, times);
    return (row) => write(times[row]!);
  }
  return (row) => {
    const value = result.rows[row]![xi];
    return value === null || value === undefined ? 'null' : String(value);
  };
}

function pieOption(spec: ChartSpec, result: QueryResult, context: OptionContext): ChartOption {
  const xi = columnIndex(result, 'x', spec.x!);
  const yi = columnIndex(result, 'y.0', spec.y![0]!);
  const label = categoryLabeller(spec, result, xi, result.columns[xi]!.type);
  const title = Boolean(spec.title ?? context.title);
  return {
    ...baseOption(spec, context),
    ...(spec.legend ? { legend: { top: title ? 36 : 8 } } : {}),
    series: [
      {
        type: 'pie',
        name: spec.y![0],
        radius: '60%',
        center: ['50%', '55%'],
        label: { formatter: '{b}: {d}%' },
        data: result.rows.map((row, i) => ({ name: label(i), value: toNumber(row[yi], spec.y![0]!, i) })),
      },
    ],
  };
}

/**
 * The ECharts option that draws `spec` over `result`. Columns the spec names must be in the
 * result (an error names the field and the columns there are); numbers that arrive as text are
 * converted, dates go on time axes, NULL leaves a gap. Deterministic: no animation, UTC.
 */
export function buildChartOption(spec: ChartSpec, result: QueryResult, context: OptionContext): ChartOption {
  switch (spec.type) {
    case 'table':
      return { ...baseOption(spec, context), ...tableOption(spec, result, context) };
    case 'pie':
      return pieOption(spec, result, context);
    default:
      return cartesianOption(spec, result, context);
  }
}
