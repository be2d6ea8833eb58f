import { time } from 'echarts/core';
import { chartErrors } from './chart-errors.js';
import type { QueryResult } from './chart-data-source.js';
import { DATE_FORMATS, type ChartSpec } from './chart-spec.js';

/** A numeric literal as engines print bigint and decimal values (`"12345678901234567890"`, `"-1.50"`). */
const NUMERIC_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** The position of `column` in the result, or an error naming the spec field and what the result has. */
export function columnIndex(result: QueryResult, field: string, column: string): number {
  const index = result.columns.findIndex((c) => c.name === column);
  if (index < 0)
    throw chartErrors.missingColumn(
      field,
      column,
      result.columns.map((c) => c.name),
    );
  return index;
}

/** A value to draw as a number: numbers as they are, numeric text (bigint, decimal) converted, NULL a gap. */
export function toNumber(value: unknown, column: string, row: number): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && NUMERIC_TEXT.test(value)) return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw chartErrors.notANumber(column, row, value);
}

/** A value to place on a time axis, as milliseconds since 1970 (ISO-8601 text, dates, or milliseconds). */
export function toTime(value: unknown, column: string, row: number): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw chartErrors.notADate(column, row, value);
}

/** True for engine types that hold dates or instants (DATE, TIMESTAMP, timestamptz, DATETIME). */
export function isDateType(type: string): boolean {
  return /date|timestamp/i.test(type);
}

/** True for engine types that hold numbers. */
export function isNumberType(type: string): boolean {
  return /int|numeric|decimal|double|float|real|number|hugeint/i.test(type);
}

/** How a date value is written as a category label: the spec's format, else day or minute precision. */
export function dateLabeller(spec: ChartSpec, times: readonly (number | null)[]): (ms: number | null) => string {
  const template =
    DATE_FORMATS[spec.date_format ?? (times.every((t) => t === null || t % 86_400_000 === 0) ? 'day' : 'minute')];
  return (ms) => (ms === null ? 'null' : time.format(ms, template, true));
}

/** A cell as text: NULL empty, objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The spec's number format as a function (Intl, en-US, so the output is the same on every server). */
export function numberFormatter(spec: ChartSpec): ((value: number) => string) | undefined {
  const format = spec.number_format;
  if (!format) return undefined;
  const intl = new Intl.NumberFormat('en-US', {
    style: format.style === 'percent' ? 'percent' : 'decimal',
    notation: format.style === 'compact' ? 'compact' : 'standard',
    ...(format.decimals === undefined
      ? {}
      : { minimumFractionDigits: format.decimals, maximumFractionDigits: format.decimals }),
  });
  return (value) => `${format.prefix ?? ''}${intl.format(value)}${format.suffix ?? ''}`;
}
