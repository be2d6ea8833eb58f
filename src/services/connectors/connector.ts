import type { CatalogOptions, CatalogSnapshot } from './catalog-snapshot.js';

/** One column of a result: its name and the engine's own type name. */
export interface ResultColumn {
  name: string;
  type: string;
}

/** A JSON-safe cell: bigint and decimal as strings, timestamps ISO-8601, binary base64, NULL as null. */
export type Cell = string | number | boolean | null | object;

export interface QueryResult {
  columns: ResultColumn[];
  /** Arrays aligned with `columns`. */
  rows: Cell[][];
  rowCount: number;
  /** True when the statement had more rows than `limit`. */
  truncated: boolean;
  elapsedMs: number;
}

export interface RunOptions {
  /** Most rows returned; one more is fetched to know whether the result was truncated. */
  limit: number;
  /** Statement timeout; the statement is cancelled on the server past it. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TestResult {
  ok: true;
  serverVersion: string;
  latencyMs: number;
}

/**
 * A connection (or pool) to one user database. Every `run` is read-only by the engine's own
 * mode, capped and timed out; the statement guard checks the text before it gets here.
 */
export interface Connector {
  test(): Promise<TestResult>;
  run(sql: string, options: RunOptions): Promise<QueryResult>;
  /** The engine's catalog (schemas, tables and views, columns), read-only and timed out like `run`. */
  catalog(options: CatalogOptions): Promise<CatalogSnapshot>;
  close(): Promise<void>;
}

export const DEFAULT_ROW_LIMIT = 10_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
