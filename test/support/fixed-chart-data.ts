import type { ChartDataSource, ChartSource, QueryResult } from '../../src/services/charts/chart-data-source.js';

/**
 * A query result as the connectors' SQL service returns it (DECIMAL sums as text, a DATE column,
 * a NULL): monthly revenue by region.
 */
export const REVENUE_RESULT: QueryResult = {
  columns: [
    { name: 'month', type: 'DATE' },
    { name: 'region', type: 'VARCHAR' },
    { name: 'revenue', type: 'DECIMAL(18,2)' },
    { name: 'orders', type: 'BIGINT' },
  ],
  rows: [
    ['2026-01-01', 'North', '1200.50', '12'],
    ['2026-01-01', 'South', '800.00', '9'],
    ['2026-02-01', 'North', '1500.25', '15'],
    ['2026-02-01', 'South', null, '0'],
    ['2026-03-01', 'North', '900.00', '8'],
    ['2026-03-01', 'South', '1100.75', '11'],
  ],
  rowCount: 6,
  truncated: false,
  elapsedMs: 3,
};

/**
 * Stands in for the connectors' SQL service, which is built on another branch and not merged
 * yet: it runs no SQL and answers every chart with one fixed result, recording what it was
 * asked. It is not a database double: the application database under test is real.
 */
export class FixedResultChartData implements ChartDataSource {
  readonly calls: { projectId: string; source: ChartSource; limit: number }[] = [];

  constructor(private readonly result: QueryResult = REVENUE_RESULT) {}

  async run(projectId: string, source: ChartSource, limit: number): Promise<QueryResult> {
    this.calls.push({ projectId, source, limit });
    return this.result;
  }
}
