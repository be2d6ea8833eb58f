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

export interface StreamOptions {
  /**
   * Bounds the wait for each batch (so the time to the first row), not the whole stream: a full
   * export may legitimately run for minutes; the client going away (`signal`) ends it.
   */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Rows per batch (default 1,000). */
  batchSize?: number;
}

/**
 * A statement's full result, read as the consumer asks for it: the columns (known once the
 * statement ran), then the rows in batches, no cap; the next batch is read only when asked for.
 */
export interface ResultStream {
  columns: ResultColumn[];
  batches: AsyncIterable<Cell[][]>;
  /** Stops the statement if it still runs and frees its connection; call it whether or not the rows were read. */
  close(): Promise<void>;
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
  /** The statement's every row, read-only and converted as `run` does, with backpressure; see `ResultStream`. */
  stream(sql: string, options: StreamOptions): Promise<ResultStream>;
  close(): Promise<void>;
}

export const DEFAULT_ROW_LIMIT = 10_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_BATCH_SIZE = 1_000;
