import { FormatRegistry, Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { NAME_MAX } from '../../db/entities.js';
import { ValidationError, type FieldError } from '../../errors.js';

export const CHART_TYPES = ['bar', 'line', 'area', 'pie', 'scatter', 'table'] as const;
export type ChartType = (typeof CHART_TYPES)[number];

/** Named date formats for a date or time x axis, as ECharts' time templates (always in UTC). */
export const DATE_FORMATS = {
  year: '{yyyy}',
  month: '{yyyy}-{MM}',
  day: '{yyyy}-{MM}-{dd}',
  minute: '{yyyy}-{MM}-{dd} {HH}:{mm}',
  second: '{yyyy}-{MM}-{dd} {HH}:{mm}:{ss}',
  time: '{HH}:{mm}',
} as const;

const literals = <const T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as unknown as TUnion<TLiteral<T[number]>[]>;

const column = (description: string) => Type.String({ minLength: 1, maxLength: NAME_MAX, description });
const label = (description: string) => Type.String({ maxLength: NAME_MAX, description });

const NumberFormat = Type.Object(
  {
    style: Type.Optional(
      literals(['decimal', 'percent', 'compact'] as const, {
        description: 'decimal (1,234.5), percent (0.25 → 25%) or compact (1.2K)',
      }),
    ),
    decimals: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'digits after the point' })),
    prefix: Type.Optional(Type.String({ maxLength: 20, description: 'text before the number, e.g. $' })),
    suffix: Type.Optional(Type.String({ maxLength: 20, description: 'text after the number, e.g. kg' })),
  },
  { additionalProperties: false, description: 'how the y values are written on the axis and in a table' },
);

/**
 * Where a chart's rows come from: a saved query of the chart's project (`query_id`), or SQL of
 * its own run on one of the project's databases (`database`: its id or its name).
 */
const Source = Type.Object(
  {
    query_id: Type.Optional(Type.String({ format: 'uuid', description: 'a saved query of the same project' })),
    database: Type.Optional(
      Type.String({ minLength: 1, maxLength: NAME_MAX, description: "the database's id or name in the project" }),
    ),
    sql: Type.Optional(Type.String({ minLength: 1, maxLength: 100_000, description: 'one read-only statement' })),
  },
  { additionalProperties: false, description: 'either {query_id} or {database, sql}' },
);

/**
 * `charts.spec`: what to draw, from which columns of which source. Checked when a chart is
 * written (the HTTP body schema, then {@link checkChartSpec} for the rules a schema cannot say).
 *
 * @example
 * { "type": "bar", "source": { "query_id": "0190…" }, "x": "region", "y": ["revenue"], "stack": true }
 */
export const chartSpecSchema = Type.Object(
  {
    type: literals(CHART_TYPES),
    source: Source,
    x: Type.Optional(column('the column along the x axis (the slice names of a pie)')),
    y: Type.Optional(
      Type.Array(column('a column of numbers'), {
        minItems: 1,
        maxItems: 20,
        description: 'the columns of values, one series each (a pie takes one)',
      }),
    ),
    series: Type.Optional(column('a column whose values split the rows into series')),
    title: Type.Optional(label("the chart's title (default: the chart's title column)")),
    x_label: Type.Optional(label('the x axis name')),
    y_label: Type.Optional(label('the y axis name')),
    x_type: Type.Optional(
      literals(['category', 'time', 'value'] as const, {
        description: 'the x axis kind (default: from the column: dates → time on line, area and scatter)',
      }),
    ),
    date_format: Type.Optional(
      literals(Object.keys(DATE_FORMATS) as (keyof typeof DATE_FORMATS)[], {
        description: 'how dates on the x axis are written (UTC)',
      }),
    ),
    number_format: Type.Optional(NumberFormat),
    stack: Type.Optional(Type.Boolean({ description: 'stack the series (bar and area)' })),
    legend: Type.Optional(
      Type.Boolean({ description: 'show the legend (default: when there is more than one series)' }),
    ),
    colors: Type.Optional(
      Type.Array(Type.String({ pattern: '^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$' }), {
        minItems: 1,
        maxItems: 20,
        description: 'the series colours, as #rgb or #rrggbb',
      }),
    ),
  },
  { additionalProperties: false, description: 'what the chart draws and where its rows come from' },
);

export type ChartSpec = Static<typeof chartSpecSchema>;
export type ChartSourceSpec = ChartSpec['source'];

if (!FormatRegistry.Has('uuid'))
  FormatRegistry.Set('uuid', (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v));

/** `/y/1` under `spec` → `spec.y.1`, as the API names every field (src/server/error-handler.ts). */
const fieldName = (base: string, pointer: string) => [base, ...pointer.split('/').filter(Boolean)].join('.');

/** The rules across fields, once the shape is right. */
function crossFieldProblems(spec: ChartSpec): FieldError[] {
  const problems: FieldError[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const { source } = spec;
  if (source.query_id !== undefined && (source.database !== undefined || source.sql !== undefined))
    add('source', 'give either query_id or database and sql, not both');
  else if (source.query_id === undefined) {
    if (source.database === undefined) add('source.database', 'is required with sql (or give query_id)');
    if (source.sql === undefined) add('source.sql', 'is required with database (or give query_id)');
  }
  if (spec.type !== 'table') {
    if (spec.x === undefined) add('x', `is required for a ${spec.type} chart`);
    if (spec.y === undefined) add('y', `is required for a ${spec.type} chart`);
  }
  spec.y?.forEach((name, i) => {
    if (spec.y!.indexOf(name) !== i) add(`y.${i}`, `repeats column ${name}`);
  });
  if (spec.type === 'pie') {
    if (spec.y && spec.y.length > 1) add('y.1', 'a pie chart takes one y column');
    if (spec.series !== undefined) add('series', 'a pie chart has no series');
  }
  if (spec.series !== undefined && spec.y && spec.y.length > 1)
    add('y.1', 'series splits one y column: give one y column, or no series');
  if (spec.stack !== undefined && spec.type !== 'bar' && spec.type !== 'area')
    add('stack', 'applies to bar and area charts only');
  if (spec.x_type !== undefined && (spec.type === 'pie' || spec.type === 'table'))
    add('x_type', `a ${spec.type} has no x axis`);
  return problems;
}

/**
 * The spec when it obeys {@link chartSpecSchema} and the rules across fields; otherwise a
 * ValidationError naming each bad field under `field` (`spec.y.1`, `spec.source.sql`).
 * A query_id comes back lower-cased, as the API stores every UUID.
 */
export function checkChartSpec(value: unknown, field = 'spec'): ChartSpec {
  const first = Value.Errors(chartSpecSchema, value).First();
  if (first) {
    const name = fieldName(field, first.path);
    const missing = first.value === undefined;
    const message = missing ? 'is required' : first.message.toLowerCase();
    throw new ValidationError(`${name} ${message}`, [{ field: name, message }]);
  }
  const spec = value as ChartSpec;
  const problems = crossFieldProblems(spec).map((p) => ({
    ...p,
    field: fieldName(field, p.field.replace(/\./g, '/')),
  }));
  if (problems.length) throw new ValidationError(`${problems[0]!.field} ${problems[0]!.message}`, problems);
  return spec.source.query_id === undefined
    ? spec
    : { ...spec, source: { query_id: spec.source.query_id.toLowerCase() } };
}
