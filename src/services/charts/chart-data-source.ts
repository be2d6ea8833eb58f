/** One column of a query result: its name and the engine's type name (`INTEGER`, `timestamptz`…). */
export interface ResultColumn {
  name: string;
  type: string;
}

/**
 * What running SQL returns (the connectors' shape): rows are arrays aligned with `columns`;
 * bigint and decimal values arrive as strings, timestamps as ISO-8601 text, NULL as null.
 */
export interface QueryResult {
  columns: ResultColumn[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  elapsedMs: number;
}

/** A chart's rows: a saved query of its project, or its own SQL on one of the project's databases. */
export type ChartSource = { query_id: string } | { database: string; sql: string };

/**
 * Runs a chart's source, read-only and capped at `limit` rows. The charts code reaches user data
 * only through this seam; the SQL service of the connectors implements it.
 */
export interface ChartDataSource {
  run(projectId: string, source: ChartSource, limit: number): Promise<QueryResult>;
}
