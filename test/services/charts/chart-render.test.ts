import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { QueryResult } from '../../../src/services/charts/chart-data-source.js';
import { buildChartOption } from '../../../src/services/charts/chart-option.js';
import { checkChartSpec } from '../../../src/services/charts/chart-spec.js';
import { renderChartSvg } from '../../../src/services/charts/chart-svg.js';
import { numberFormatter } from '../../../src/services/charts/chart-values.js';
import { REVENUE_RESULT } from '../../support/fixed-chart-data.js';

/** The renderer is pure (spec + rows → option → SVG): these tests draw and read the SVG back. */

type Node = Record<string, any>;
const SOURCE = { database: 'shop', sql: 'select 1' };
const SIZE = { width: 640, height: 400 };

function draw(spec: object, result: QueryResult = REVENUE_RESULT, size = SIZE) {
  const checked = checkChartSpec({ source: SOURCE, ...spec });
  const option = buildChartOption(checked, result, size);
  const svg = renderChartSvg(option, { ...size, yFormatter: numberFormatter(checked), idPrefix: 'test' });
  return { option, svg, doc: new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as Node };
}

/** Every element named `tag`, depth first, in document order. */
function elements(node: unknown, tag: string, out: Node[] = []): Node[] {
  if (Array.isArray(node)) for (const item of node) elements(item, tag, out);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Node)) {
      if (key === tag) for (const item of [value].flat()) out.push(typeof item === 'object' ? item : { '#text': item });
      if (typeof value === 'object') elements(value, tag, out);
    }
  }
  return out;
}
const texts = (doc: Node) => elements(doc, 'text').map((t) => String(t['#text'] ?? ''));
/** The data shapes ECharts drew for series `i` (bars, slices, symbols), in data order. */
const shapes = (doc: Node, i: number) =>
  elements(doc, 'path').filter((p) => p.ecmeta_series_index === String(i) && p.ecmeta_ssr_type === 'chart');
/** A bar's height from its path `M x y l w 0 l 0 -h …`. */
const barHeight = (path: Node) => -Number(/l0 (-?[\d.]+)/.exec(path.d)![1]);

const BAR = { type: 'bar', x: 'month', y: ['revenue'], series: 'region' };

describe('bar charts', () => {
  it('draws one bar per row with a value, in each series', () => {
    const { doc } = draw(BAR);
    expect([shapes(doc, 0).length, shapes(doc, 1).length]).toEqual([3, 2]);
  });

  it('draws bars in row order, as tall as their values', () => {
    const heights = shapes(draw(BAR).doc, 0).map(barHeight);
    expect([heights[1]! > heights[0]!, heights[0]! > heights[2]!]).toEqual([true, true]);
  });

  it('writes the months as x axis labels, in order', () => {
    expect(texts(draw(BAR).doc).filter((t) => t.startsWith('2026-'))).toEqual([
      '2026-01-01',
      '2026-02-01',
      '2026-03-01',
    ]);
  });

  it('writes dates in the spec’s date format', () => {
    expect(texts(draw({ ...BAR, date_format: 'month' }).doc).filter((t) => t.startsWith('2026-'))).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
  });

  it('draws the title and both axis names', () => {
    const all = texts(draw({ ...BAR, title: 'Revenue by month', x_label: 'Month', y_label: 'EUR' }).doc);
    expect(['Revenue by month', 'Month', 'EUR'].filter((t) => all.includes(t))).toEqual([
      'Revenue by month',
      'Month',
      'EUR',
    ]);
  });

  it('shows a legend naming each series when there is more than one', () => {
    expect(texts(draw(BAR).doc).filter((t) => t === 'North' || t === 'South')).toEqual(['North', 'South']);
  });

  it('writes the y axis labels in the spec’s number format', () => {
    const labels = texts(draw({ ...BAR, number_format: { prefix: '$', style: 'compact' } }).doc).filter((t) =>
      t.startsWith('$'),
    );
    expect(labels).toEqual(['$0', '$300', '$600', '$900', '$1.2K', '$1.5K', '$1.8K']);
  });

  it('stacks the series on one another when asked', () => {
    const { option } = draw({ ...BAR, stack: true });
    expect((option.series as Node[]).map((s) => s.stack)).toEqual(['total', 'total']);
  });

  it('converts bigint and decimal text to numbers', () => {
    const { option } = draw({ type: 'bar', x: 'region', y: ['orders', 'revenue'] });
    expect((option.series as Node[]).map((s) => s.data[0])).toEqual([12, 1200.5]);
  });
});

describe('line, area, scatter and pie charts', () => {
  it('puts a DATE column on a time axis, points in date order whatever the row order', () => {
    const reversed = { ...REVENUE_RESULT, rows: [...REVENUE_RESULT.rows].reverse() };
    const { option } = draw({ type: 'line', x: 'month', y: ['revenue'], series: 'region' }, reversed);
    expect([
      (option.xAxis as Node).type,
      (option.series as Node[]).find((s) => s.name === 'North')!.data.map((p: number[]) => p[1]),
    ]).toEqual(['time', [1200.5, 1500.25, 900]]);
  });

  it('fills the area under an area chart', () => {
    const { option } = draw({ type: 'area', x: 'month', y: ['revenue'], series: 'region' });
    expect((option.series as Node[]).map((s) => [s.type, s.areaStyle])).toEqual([
      ['line', {}],
      ['line', {}],
    ]);
  });

  it('draws one symbol per row of a scatter chart', () => {
    expect(shapes(draw({ type: 'scatter', x: 'orders', y: ['revenue'] }).doc, 0).length).toBe(5);
  });

  it('draws one slice per row of a pie, labelled with its share', () => {
    const result = { ...REVENUE_RESULT, rows: REVENUE_RESULT.rows.slice(0, 2) };
    const { doc } = draw({ type: 'pie', x: 'region', y: ['revenue'] }, result);
    expect([shapes(doc, 0).length, texts(doc).filter((t) => t.endsWith('%'))]).toEqual([
      2,
      ['North: 60.01%', 'South: 39.99%'],
    ]);
  });
});

describe('table charts', () => {
  it('writes a header with every column when the spec names none', () => {
    expect(texts(draw({ type: 'table' }).doc).slice(0, 4)).toEqual(['month', 'region', 'revenue', 'orders']);
  });

  it('says how many rows did not fit the height', () => {
    expect(texts(draw({ type: 'table' }, REVENUE_RESULT, { width: 640, height: 100 }).doc).at(-1)).toBe(
      '… 5 more rows',
    );
  });

  it('writes the y columns in the number format', () => {
    const all = texts(draw({ type: 'table', x: 'region', y: ['revenue'], number_format: { decimals: 0 } }).doc);
    expect(all.slice(0, 4)).toEqual(['region', 'revenue', 'North', '1,201']);
  });
});

describe('errors and output', () => {
  it('names the spec field and the columns there are when a column is missing', () => {
    expect(() => draw({ ...BAR, series: 'country' })).toThrow(
      'spec.series names column country, which the query does not return (it returns month, region, revenue, orders)',
    );
  });

  it('names the column and row of a y value that is not a number', () => {
    expect(() => draw({ type: 'bar', x: 'month', y: ['region'] })).toThrow(
      'column region holds "North" in row 1, not a number',
    );
  });

  it('escapes text from the rows', () => {
    const result: QueryResult = { ...REVENUE_RESULT, rows: [['2026-01-01', '<script>alert(1)</script>', '1', '1']] };
    const { svg } = draw({ type: 'bar', x: 'region', y: ['revenue'] }, result);
    expect([svg.includes('<script'), svg.includes('&lt;script&gt;')]).toEqual([false, true]);
  });

  it('gives the same bytes for the same input, ids under the given prefix', () => {
    const spec = { type: 'line', x: 'month', y: ['revenue'], series: 'region' };
    const { svg } = draw(spec);
    expect([
      svg === draw(spec).svg,
      [...new Set([...svg.matchAll(/id="([^"]+)"/g)].map((m) => m[1]!.split('-')[0]))],
    ]).toEqual([true, ['test']]);
  });

  it('animates nothing and sets no hover style', () => {
    const { svg } = draw(BAR);
    expect([svg.includes('<style'), svg.includes('@keyframes')]).toEqual([false, false]);
  });
});
