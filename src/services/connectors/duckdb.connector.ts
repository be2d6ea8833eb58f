import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DuckDBBlobValue,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBConnection,
  type DuckDBValue,
} from '@duckdb/node-api';
import { readCatalog } from './catalog-queries.js';
import type { CatalogOptions, CatalogSnapshot } from './catalog-snapshot.js';
import type { Connector, QueryResult, ResultStream, RunOptions, StreamOptions, TestResult } from './connector.js';
import { connectorErrors } from './connector-errors.js';
import { openResultStream, type StreamPart } from './result-stream.js';
import type { DuckdbConfig } from './database-config.js';
import { isoTimestamp, jsonCell } from './json-values.js';

/** Files of a dataset folder that become views, by file name without extension. */
const DATA_FILES = /\.(csv|tsv|parquet|json|ndjson)$/i;

/**
 * DuckDB in process: a `.duckdb` file opened read-only, or a dataset folder whose CSV/Parquet
 * files are views (the views live in a small read-only catalog file oxy writes). Either way:
 * external access only to the database's own folder, no extension auto-loading, configuration
 * locked; a statement past its timeout is interrupted.
 */
export class DuckdbConnector implements Connector {
  private instance: Promise<DuckDBInstance> | undefined;
  private catalogDir: string | undefined;

  constructor(private readonly config: DuckdbConfig) {}

  async test(): Promise<TestResult> {
    const started = performance.now();
    const connection = await (await this.open()).connect();
    try {
      const reader = await connection.runAndReadAll('select version()');
      return {
        ok: true,
        serverVersion: `DuckDB ${String(reader.getRows()[0]![0])}`,
        latencyMs: Math.round(performance.now() - started),
      };
    } finally {
      connection.closeSync();
    }
  }

  async run(sql: string, options: RunOptions): Promise<QueryResult> {
    const started = performance.now();
    const connection = await (await this.open()).connect();
    const guard = interruptOn(connection, options.timeoutMs, options.signal);
    try {
      return await this.read(connection, sql, options, started);
    } catch (error) {
      if (guard.timedOut) throw connectorErrors.timeout(options.timeoutMs);
      throw translate(error);
    } finally {
      guard.dispose();
      connection.closeSync();
    }
  }

  async catalog(options: CatalogOptions): Promise<CatalogSnapshot> {
    const snapshot = await readCatalog(this, 'duckdb', options);
    if (this.config.dataset === undefined) return snapshot;
    // A folder's file is a view under two names (`orders`, `orders.csv`): the catalog lists it once.
    const datasets = snapshot.datasets.map((dataset) => {
      const names = new Set(dataset.tables.map((t) => t.name));
      const tables = dataset.tables.filter(
        (t) => !DATA_FILES.test(t.name) || !names.has(t.name.replace(DATA_FILES, '')),
      );
      return { ...dataset, tables };
    });
    return { datasets };
  }

  stream(sql: string, options: StreamOptions): Promise<ResultStream> {
    return openResultStream(this.chunks(sql, options));
  }

  /** DuckDB's streaming result, one data chunk (about 2,048 rows) per batch, fetched when asked for. */
  private async *chunks(sql: string, options: StreamOptions): AsyncGenerator<StreamPart, void, undefined> {
    options.signal?.throwIfAborted();
    const connection = await (await this.open()).connect();
    // The timeout bounds the wait for the first chunk; an export may then run as long as it is read.
    const guard = interruptOn(connection, options.timeoutMs, options.signal);
    try {
      const result = await connection.stream(sql);
      yield { columns: result.columnNames().map((name, i) => ({ name, type: result.columnType(i).toString() })) };
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        guard.disarm();
        if (options.signal?.aborted) throw connectorErrors.cancelled();
        yield { rows: chunk.getRows().map((row) => row.map(duckCell)) };
      }
    } catch (error) {
      if (options.signal?.aborted) throw connectorErrors.cancelled();
      if (guard.timedOut) throw connectorErrors.timeout(options.timeoutMs);
      throw translate(error);
    } finally {
      guard.dispose();
      connection.closeSync();
    }
  }

  async close(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    if (instance) (await instance.catch(() => undefined))?.closeSync();
    if (this.catalogDir) fs.rmSync(this.catalogDir, { recursive: true, force: true });
  }

  private async read(
    connection: DuckDBConnection,
    sql: string,
    options: RunOptions,
    started: number,
  ): Promise<QueryResult> {
    const result = await connection.stream(sql);
    const columns = result.columnNames().map((name, i) => ({ name, type: result.columnType(i).toString() }));
    const rows: QueryResult['rows'] = [];
    let truncated = false;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      for (const row of chunk.getRows()) {
        if (rows.length >= options.limit) {
          truncated = true;
          break;
        }
        rows.push(row.map(duckCell));
      }
      if (truncated) break;
    }
    return { columns, rows, rowCount: rows.length, truncated, elapsedMs: Math.round(performance.now() - started) };
  }

  private open(): Promise<DuckDBInstance> {
    this.instance ??= this.create();
    const instance = this.instance;
    instance.catch(() => {
      if (this.instance === instance) this.instance = undefined;
    });
    return instance;
  }

  private async create(): Promise<DuckDBInstance> {
    const folder = this.config.dataset ?? path.dirname(this.config.path!);
    const file = this.config.dataset === undefined ? this.config.path! : await this.writeCatalog(this.config.dataset);
    if (!fs.existsSync(file)) throw new Error(`no such file: ${file}`);
    const instance = await DuckDBInstance.create(file, {
      access_mode: 'READ_ONLY',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
    });
    // allowed_directories can only be set at run time; once external access is off and the
    // configuration locked, no statement can turn either back.
    const connection = await instance.connect();
    try {
      await connection.run(`set allowed_directories = ['${path.join(folder, '/').replace(/'/g, "''")}']`);
      await connection.run('set enable_external_access = false');
      await connection.run('set lock_configuration = true');
    } catch (error) {
      instance.closeSync();
      throw error;
    } finally {
      connection.closeSync();
    }
    return instance;
  }

  /** A catalog file with one view per data file of the folder, e.g. `orders.csv` as `orders`. */
  private async writeCatalog(folder: string): Promise<string> {
    if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`no such folder: ${folder}`);
    this.catalogDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-duckdb-'));
    const file = path.join(this.catalogDir, 'catalog.duckdb');
    const writer = await DuckDBInstance.create(file, { autoinstall_known_extensions: 'false' });
    const connection = await writer.connect();
    try {
      for (const name of fs.readdirSync(folder).sort()) {
        if (!DATA_FILES.test(name)) continue;
        const source = path.join(folder, name).replace(/'/g, "''");
        // `FROM orders` and Oxy's `FROM 'orders.csv'` both read the file.
        for (const view of new Set([name.replace(DATA_FILES, ''), name]))
          await connection.run(`create view "${view.replace(/"/g, '""')}" as select * from '${source}'`);
      }
    } finally {
      connection.closeSync();
      writer.closeSync();
    }
    return file;
  }
}

function duckCell(value: DuckDBValue): QueryResult['rows'][number][number] {
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString('base64');
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue)
    return isoTimestamp(value.toString());
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) return value.toString();
  return jsonCell(value);
}

function translate(error: unknown): Error {
  const message = (error as Error).message ?? String(error);
  if (/read-only|read only/i.test(message))
    return connectorErrors.refused(`the database is read-only here: ${message}`);
  if (/Permission Error|disabled by configuration|not allowed/i.test(message)) return connectorErrors.refused(message);
  return connectorErrors.failed(message);
}

/**
 * Interrupts the connection's statement when `timeoutMs` passes or `signal` aborts: `timedOut`
 * tells which; `disarm` stops the timer (the signal still interrupts); `dispose` stops both.
 */
function interruptOn(connection: DuckDBConnection, timeoutMs: number, signal: AbortSignal | undefined) {
  const interrupt = () => connection.interrupt();
  const guard = {
    timedOut: false,
    disarm: () => clearTimeout(timer),
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', interrupt);
    },
  };
  const timer = setTimeout(() => {
    guard.timedOut = true;
    interrupt();
  }, timeoutMs);
  signal?.addEventListener('abort', interrupt, { once: true });
  return guard;
}
