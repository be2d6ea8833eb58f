import { defineError } from '../../errors.js';

const list = (names: readonly string[]) => (names.length ? names.join(', ') : 'no columns');

/** What can go wrong drawing a chart, beyond a bad spec at write time (a ValidationError). */
export const chartErrors = {
  missingColumn: defineError(
    'chart_column_missing',
    (field: string, column: string, available: readonly string[]) => ({
      message: `spec.${field} names column ${column}, which the query does not return (it returns ${list(available)})`,
      hint: 'change the spec (PATCH /api/charts/:id) or the query so that the names agree',
      details: { field: `spec.${field}`, column, available },
    }),
    { status: 422 },
  ),
  notANumber: defineError(
    'chart_value_not_a_number',
    (column: string, row: number, value: unknown) => ({
      message: `column ${column} holds ${JSON.stringify(value)} in row ${row + 1}, not a number`,
      hint: 'choose a numeric column for y, or cast it in the SQL',
      details: { column, row },
    }),
    { status: 422 },
  ),
  notADate: defineError(
    'chart_value_not_a_date',
    (column: string, row: number, value: unknown) => ({
      message: `column ${column} holds ${JSON.stringify(value)} in row ${row + 1}, not a date or time`,
      hint: 'set spec.x_type to category or value, or cast the column to a date in the SQL',
      details: { column, row },
    }),
    { status: 422 },
  ),
  storedSpecInvalid: defineError(
    'chart_spec_invalid',
    (id: string, problem: string, fields: unknown) => ({
      message: `chart ${id} has a spec that is not valid: ${problem}`,
      hint: `write a valid spec with PATCH /api/charts/${id}`,
      details: { fields },
    }),
    { status: 422 },
  ),
  queryMissing: defineError(
    'chart_query_missing',
    (id: string, queryId: string) => ({
      message: `chart ${id} draws query ${queryId}, which no longer exists in its project`,
      hint: `point spec.source at another query or at SQL of its own with PATCH /api/charts/${id}`,
    }),
    { status: 409 },
  ),
};
