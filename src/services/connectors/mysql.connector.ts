import mysql from 'mysql2';
import { readCatalog } from './catalog-queries.js';
import type { CatalogOptions, CatalogSnapshot } from './catalog-snapshot.js';
import {
  DEFAULT_BATCH_SIZE,
  type Cell,
  type Connector,
  type QueryResult,
  type ResultColumn,
  type ResultStream,
  type RunOptions,
  type StreamOptions,
  type TestResult,
} from './connector.js';
import { connectorErrors } from './connector-errors.js';
import { openResultStream, type StreamPart } from './result-stream.js';
import type { ServerConfig } from './database-config.js';
import { isoTimestamp, jsonCell } from './json-values.js';

const TYPE_NAMES = Object.fromEntries(
  Object.entries((mysql as unknown as { Types: Record<string, number> }).Types).map(([name, id]) => [id, name]),
);
const TIMESTAMPS = new Set(['DATETIME', 'TIMESTAMP', 'DATETIME2', 'TIMESTAMP2']);

/**
 * MySQL and MariaDB through a mysql2 pool: each statement in `START TRANSACTION READ ONLY` with
 * the server's statement time limit; past the row cap or the timeout the statement is stopped
 * with `KILL QUERY` from another connection.
 */
export class MysqlConnector implements Connector {
  private readonly pool: mysql.Pool;
  private mariadb: boolean | undefined;

  constructor(config: ServerConfig, password: string | undefined) {
    this.pool = mysql.createPool({
      host: config.host,
      port: config.port ?? 3306,
      user: config.user,
      ...(config.database ? { database: config.database } : {}),
      ...(password === undefined ? {} : { password }),
      ...(config.ssl ? { ssl: { rejectUnauthorized: true } } : {}),
      connectionLimit: 4,
      connectTimeout: 10_000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      timezone: 'Z',
      multipleStatements: false,
    });
  }

  async test(): Promise<TestResult> {
    const started = performance.now();
    const [rows] = await this.pool.promise().query<mysql.RowDataPacket[]>('select version() as v');
    const version = String(rows[0]!.v);
    return {
      ok: true,
      serverVersion: /mariadb/i.test(version) ? `MariaDB ${version}` : `MySQL ${version}`,
      latencyMs: Math.round(performance.now() - started),
    };
  }

  async run(sql: string, options: RunOptions): Promise<QueryResult> {
    const started = performance.now();
    const connection = await this.pool.promise().getConnection();
    const threadId = connection.threadId;
    let broken = false;
    // Past the timeout and a grace period the connection is abandoned whatever the driver does.
    let deadline: NodeJS.Timeout | undefined;
    const abandon = new Promise<never>((_, reject) => {
      deadline = setTimeout(() => {
        broken = true;
        this.pool.query(`kill ${threadId}`, () => undefined);
        reject(connectorErrors.timeout(options.timeoutMs));
      }, options.timeoutMs + 2_000);
    });
    try {
      const work = async () => {
        const mariadb = await this.isMariadb(connection);
        await connection.query(
          mariadb
            ? `set session max_statement_time = ${Math.max(0.001, options.timeoutMs / 1000)}`
            : `set session max_execution_time = ${Math.ceil(options.timeoutMs)}`,
        );
        await connection.query("set session time_zone = '+00:00'");
        // Read-only for the session too, so no statement runs in a writable implicit transaction.
        await connection.query('set session transaction read only');
        await connection.query('start transaction read only');
        const result = await this.collect(connection.connection as unknown as mysql.Connection, sql, options, threadId);
        await connection.query('rollback');
        return { ...result, elapsedMs: Math.round(performance.now() - started) };
      };
      return await Promise.race([work(), abandon]);
    } catch (error) {
      if (!broken) await connection.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(deadline);
      if (broken) connection.destroy();
      else connection.release();
    }
  }

  catalog(options: CatalogOptions): Promise<CatalogSnapshot> {
    return readCatalog(this, 'mysql', options);
  }

  stream(sql: string, options: StreamOptions): Promise<ResultStream> {
    return openResultStream(this.read(sql, options));
  }

  /**
   * The statement in `START TRANSACTION READ ONLY`, read through mysql2's row stream, which
   * pauses the socket while the consumer lags. The server's statement time limit would end a long
   * export, so it is off here; the statement is killed if no row came within the timeout.
   */
  private async *read(sql: string, options: StreamOptions): AsyncGenerator<StreamPart, void, undefined> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    options.signal?.throwIfAborted();
    const connection = await this.pool.promise().getConnection();
    const threadId = connection.threadId;
    const kill = () => void this.pool.query(`kill query ${threadId}`, () => undefined);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', kill, { once: true });
    let finished = false;
    try {
      const mariadb = await this.isMariadb(connection);
      await connection.query(mariadb ? 'set session max_statement_time = 0' : 'set session max_execution_time = 0');
      await connection.query("set session time_zone = '+00:00'");
      await connection.query('set session transaction read only');
      await connection.query('start transaction read only');
      const query = (connection.connection as unknown as mysql.Connection).query({ sql, rowsAsArray: true });
      const rows = query.stream({ highWaterMark: batchSize });
      const fields = await new Promise<mysql.FieldPacket[]>((resolve, reject) => {
        rows.once('fields', (f: mysql.FieldPacket[] | undefined) => resolve(f ?? []));
        rows.once('end', () => resolve([]));
        rows.once('error', reject);
      });
      const columns: ResultColumn[] = fields.map((f) => ({
        name: f.name,
        type: TYPE_NAMES[f.type ?? -1] ?? String(f.type),
      }));
      const timestamps = columns.map((c) => TIMESTAMPS.has(c.type));
      const cell = (value: unknown, i: number): Cell =>
        timestamps[i] && typeof value === 'string' ? isoTimestamp(value) : jsonCell(value);
      yield { columns };
      let batch: Cell[][] = [];
      for await (const row of rows as AsyncIterable<unknown[]>) {
        clearTimeout(timer);
        batch.push(row.map(cell));
        if (batch.length >= batchSize) {
          yield { rows: batch };
          batch = [];
        }
      }
      clearTimeout(timer);
      if (batch.length > 0) yield { rows: batch };
      await connection.query('rollback');
      finished = true;
    } catch (error) {
      if (options.signal?.aborted) throw connectorErrors.cancelled();
      const e = error as Error & { errno?: number };
      if (timedOut || e.errno === 1317 || e.errno === 1969 || e.errno === 3024)
        throw connectorErrors.timeout(options.timeoutMs);
      if (e.errno === 1792) throw connectorErrors.refused(`the database is read-only here: ${e.message}`);
      if (typeof e.errno === 'number') throw connectorErrors.failed(e.message);
      throw error;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      // Stopped early or failed: the statement may still be sending rows; end the connection on the server.
      if (finished) connection.release();
      else {
        this.pool.query(`kill ${threadId}`, () => undefined);
        connection.destroy();
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.promise().end();
  }

  private async isMariadb(
    connection: mysql.PoolConnection | { query: mysql.Pool['promise'] } | unknown,
  ): Promise<boolean> {
    if (this.mariadb === undefined) {
      const [rows] = await (connection as ReturnType<mysql.Pool['promise']>).query<mysql.RowDataPacket[]>(
        'select version() as v',
      );
      this.mariadb = /mariadb/i.test(String(rows[0]!.v));
    }
    return this.mariadb;
  }

  /** Reads rows as they come; at limit+1 or at the timeout, kills the statement and stops. */
  private collect(
    connection: mysql.Connection,
    sql: string,
    options: RunOptions,
    threadId: number,
  ): Promise<Omit<QueryResult, 'elapsedMs'>> {
    return new Promise((resolve, reject) => {
      let columns: ResultColumn[] = [];
      let timestamps: boolean[] = [];
      const rows: unknown[][] = [];
      let truncated = false;
      let timedOut = false;
      let failure: (Error & { errno?: number }) | undefined;
      const kill = () => {
        this.pool.query(`kill query ${threadId}`, () => undefined);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, options.timeoutMs + 250);
      const onAbort = () => kill();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const query = connection.query({ sql, rowsAsArray: true });
      query.on('fields', (fields: mysql.FieldPacket[] | undefined) => {
        columns = (fields ?? []).map((f) => ({ name: f.name, type: TYPE_NAMES[f.type ?? -1] ?? String(f.type) }));
        timestamps = columns.map((c) => TIMESTAMPS.has(c.type));
      });
      query.on('result', (row: unknown) => {
        if (truncated) return;
        if (rows.length >= options.limit) {
          truncated = true;
          kill();
          return;
        }
        rows.push(row as unknown[]);
      });
      query.on('error', (error: Error & { errno?: number; sqlMessage?: string }) => {
        failure = error;
      });
      query.on('end', () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        const interrupted = failure && (failure.errno === 1317 || failure.errno === 1969 || failure.errno === 3024);
        if (failure && !(truncated && interrupted)) {
          if (interrupted || timedOut) return reject(connectorErrors.timeout(options.timeoutMs));
          if (failure.errno === 1792)
            return reject(connectorErrors.refused(`the database is read-only here: ${failure.message}`));
          if (typeof failure.errno === 'number') return reject(connectorErrors.failed(failure.message));
          return reject(failure);
        }
        const cells = rows.map((row) =>
          row.map((value, i) => (timestamps[i] && typeof value === 'string' ? isoTimestamp(value) : jsonCell(value))),
        );
        resolve({ columns, rows: cells, rowCount: cells.length, truncated });
      });
    });
  }
}
