import mysql from 'mysql2';
import { readCatalog } from './catalog-queries.js';
import type { CatalogOptions, CatalogSnapshot } from './catalog-snapshot.js';
import type { Connector, QueryResult, ResultColumn, RunOptions, TestResult } from './connector.js';
import { connectorErrors } from './connector-errors.js';
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
        const result = await this.stream(connection.connection as unknown as mysql.Connection, sql, options, threadId);
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
  private stream(
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
