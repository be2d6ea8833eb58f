import type { Cell } from '../../connectors/connector.js';

/** Two numbers are equal when they differ by at most this share of the larger (or by 1e-9 near zero). */
export const RELATIVE_TOLERANCE = 1e-6;
const ABSOLUTE_TOLERANCE = 1e-9;

/** A cell reduced to what the comparison looks at. */
type Value = null | number | boolean | string;

export interface ComparisonOptions {
  /** Compare the rows in order (otherwise as a multiset). */
  ordered: boolean;
}

export type Comparison = { equal: true } | { equal: false; diff: string };

/**
 * Execution accuracy: does the agent's result hold the expected result? Column names are
 * ignored; each expected column is matched to an agent column holding the same values (so the
 * agent may order its columns differently or add columns). Rows are compared as a multiset
 * (duplicates count) unless `ordered`. Numbers, and strings that spell a number (DECIMAL and
 * BIGINT arrive as strings), are compared as numbers within {@link RELATIVE_TOLERANCE}; a
 * timestamp at midnight equals its date; NULL equals only NULL.
 */
export function compareResults(expected: Cell[][], actual: Cell[][], options: ComparisonOptions): Comparison {
  const want = expected.map((row) => row.map(normalise));
  const got = actual.map((row) => row.map(normalise));
  if (want.length !== got.length) return { equal: false, diff: rowDiff(want, got, true) };
  if (want.length === 0) return { equal: true };
  const width = want[0]!.length;
  const gotWidth = got[0]?.length ?? 0;
  if (gotWidth < width)
    return { equal: false, diff: `expected ${width} columns, got ${gotWidth}; ${rowDiff(want, got, false)}` };
  if (matchColumns(want, got, width, gotWidth, options.ordered)) return { equal: true };
  if (options.ordered && matchColumns(want, got, width, gotWidth, false))
    return { equal: false, diff: 'the same rows in another order, and the question asks for an order' };
  return { equal: false, diff: rowDiff(want, got, false) };
}

function normalise(cell: Cell): Value {
  if (cell === null || cell === undefined) return null;
  if (typeof cell === 'number' || typeof cell === 'boolean') return cell;
  if (typeof cell === 'string') {
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cell.trim())) return Number(cell);
    const midnight = /^(\d{4}-\d{2}-\d{2})[T ]00:00:00(\.0+)?(Z|[+-]00(:?00)?)?$/.exec(cell);
    return midnight ? midnight[1]! : cell;
  }
  return JSON.stringify(cell);
}

function same(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    const diff = Math.abs(a - b);
    return diff <= ABSOLUTE_TOLERANCE || diff <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
}

/** A sort key that puts values equal within the tolerance next to each other (numbers by 6 significant digits). */
function key(value: Value): string {
  if (value === null) return '0:';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '1:NaN';
    // Both sides are sorted by the same keys, so rows equal within the tolerance line up; `same` decides.
    return `1:${value.toPrecision(6)}`;
  }
  if (typeof value === 'boolean') return `2:${value}`;
  return `3:${value}`;
}

function rowKey(row: Value[]): string {
  return row.map(key).join('\u0001');
}

function sameRows(want: Value[][], got: Value[][]): boolean {
  return want.every((row, i) => row.every((value, j) => same(value, got[i]![j]!)));
}

/**
 * A choice of one agent column per expected column under which the rows agree, or undefined.
 * Candidates for each expected column are the agent columns whose sorted values agree with it;
 * the choices are tried depth first (results are small and candidates few).
 */
function matchColumns(
  want: Value[][],
  got: Value[][],
  width: number,
  gotWidth: number,
  ordered: boolean,
): number[] | undefined {
  const column = (rows: Value[][], j: number) => rows.map((row) => row[j]!);
  const sortedColumn = (rows: Value[][], j: number) => column(rows, j).sort((a, b) => compareKeys(key(a), key(b)));
  const wantSorted = Array.from({ length: width }, (_, j) => sortedColumn(want, j));
  const gotSorted = Array.from({ length: gotWidth }, (_, j) => sortedColumn(got, j));
  const candidates = wantSorted.map((values) =>
    gotSorted.flatMap((other, j) => (values.every((v, i) => same(v, other[i]!)) ? [j] : [])),
  );
  const wantRows = ordered ? want : sortRows(want);
  const chosen: number[] = [];
  let tries = 0;
  const search = (i: number): boolean => {
    if (i === width) {
      tries += 1;
      const projected = got.map((row) => chosen.map((j) => row[j]!));
      return sameRows(wantRows, ordered ? projected : sortRows(projected));
    }
    for (const j of candidates[i]!) {
      if (chosen.includes(j)) continue;
      chosen.push(j);
      if (search(i + 1)) return true;
      chosen.pop();
      if (tries > 5_000) return false;
    }
    return false;
  };
  return search(0) ? chosen : undefined;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortRows(rows: Value[][]): Value[][] {
  return rows
    .map((row) => ({ row, key: rowKey(row) }))
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((entry) => entry.row);
}

/** `expected 7 rows, got 6; missing (West, 1200.5); unexpected (…)`: at most three rows each way. */
function rowDiff(want: Value[][], got: Value[][], counted: boolean): string {
  const head = counted ? `expected ${want.length} rows, got ${got.length}` : '';
  const counts = (rows: Value[][], width: number) => {
    const map = new Map<string, { row: Value[]; n: number }>();
    for (const row of rows) {
      const cut = row.slice(0, width);
      const k = rowKey(cut);
      const entry = map.get(k);
      if (entry) entry.n += 1;
      else map.set(k, { row: cut, n: 1 });
    }
    return map;
  };
  const width = want[0]?.length ?? got[0]?.length ?? 0;
  const wantCounts = counts(want, width);
  const gotCounts = counts(got, width);
  const missing: Value[][] = [];
  const unexpected: Value[][] = [];
  for (const [k, { row, n }] of wantCounts) for (let i = gotCounts.get(k)?.n ?? 0; i < n; i++) missing.push(row);
  for (const [k, { row, n }] of gotCounts) for (let i = wantCounts.get(k)?.n ?? 0; i < n; i++) unexpected.push(row);
  const show = (rows: Value[][]) =>
    rows
      .slice(0, 3)
      .map((row) => `(${row.map((v) => (v === null ? 'NULL' : String(v))).join(', ')})`)
      .join(' ') + (rows.length > 3 ? ` and ${rows.length - 3} more` : '');
  const parts = [head];
  if (missing.length) parts.push(`missing ${show(missing)}`);
  if (unexpected.length) parts.push(`unexpected ${show(unexpected)}`);
  if (!missing.length && !unexpected.length) parts.push('numbers differ by more than the tolerance (1e-6 relative)');
  return parts.filter(Boolean).join('; ');
}
