import pg from 'pg';
import { readCatalog } from './catalog-queries.js';
import type { CatalogOptions, CatalogSnapshot } from './catalog-snapshot.js';
import {
  DEFAULT_BATCH_SIZE,
  type Connector,
  type QueryResult,
  type ResultStream,
  type RunOptions,
  type StreamOptions,
  type TestResult,
} from './connector.js';
import { connectorErrors } from './connector-errors.js';
import { openResultStream, type StreamPart } from './result-stream.js';
import type { ServerConfig } from './database-config.js';
import { isoTimestamp, jsonCell } from './json-values.js';

/** Types whose text pg would turn into JS Dates (losing microseconds and zones): kept as ISO text. */
const TEXT_TYPES: Record<number, (text: string) => unknown> = {
  1082: (text) => text, // date
  1083: (text) => text, // time
  1114: isoTimestamp, // timestamp
  1184: isoTimestamp, // timestamptz
  1266: (text) => text, // timetz
  20: (text) => text, // int8
  1700: (text) => text, // numeric
};

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TEXT_TYPES[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * PostgreSQL through a pg Pool: each statement in a `READ ONLY` transaction with
 * `SET LOCAL statement_timeout`, read through a cursor (`FETCH limit+1`), never whole.
 */
export class PostgresConnector implements Connector {
  private readonly pool: pg.Pool;
  private readonly typeNames = new Map<number, string>();

  constructor(config: ServerConfig, password: string | undefined) {
    this.pool = new pg.Pool({
      host: config.host,
      port: config.port ?? 5432,
      user: config.user,
      database: config.database ?? config.user,
      ...(password === undefined ? {} : { password }),
      ...(config.ssl ? { ssl: { rejectUnauthorized: true } } : {}),
      max: 4,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
      application_name: 'oxy',
      options: '-c default_transaction_read_only=on -c TimeZone=UTC',
      types,
    });
    this.pool.on('error', () => undefined);
  }

  async test(): Promise<TestResult> {
    const started = performance.now();
    const { rows } = await this.pool.query<{ v: string }>("select current_setting('server_version') as v");
    return { ok: true, serverVersion: `PostgreSQL ${rows[0]!.v}`, latencyMs: Math.round(performance.now() - started) };
  }

  async run(sql: string, options: RunOptions): Promise<QueryResult> {
    const started = performance.now();
    const client = await this.pool.connect();
    const pid = (client as unknown as { processID: number }).processID;
    const cancel = () => void this.pool.query('select pg_cancel_backend($1)', [pid]).catch(() => undefined);
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      await client.query('begin transaction isolation level repeatable read read only');
      await client.query(`set local statement_timeout = ${Math.max(1, Math.floor(options.timeoutMs))}`);
      // The extended protocol takes exactly one statement: `…; commit; …` cannot end the transaction.
      await client.query({
        text: `declare oxy_cursor no scroll cursor for ${sql}`,
        queryMode: 'extended',
      } as pg.QueryConfig);
      const result = await client.query({ text: `fetch ${options.limit + 1} from oxy_cursor`, rowMode: 'array' });
      await client.query('rollback');
      const columns = await Promise.all(
        result.fields.map(async (f) => ({ name: f.name, type: await this.typeName(f.dataTypeID) })),
      );
      const truncated = result.rows.length > options.limit;
      const rows = (result.rows as unknown[][]).slice(0, options.limit).map((row) => row.map(jsonCell));
      return { columns, rows, rowCount: rows.length, truncated, elapsedMs: Math.round(performance.now() - started) };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw translate(error, options.timeoutMs);
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      client.release();
    }
  }

  catalog(options: CatalogOptions): Promise<CatalogSnapshot> {
    return readCatalog(this, 'postgres', options);
  }

  stream(sql: string, options: StreamOptions): Promise<ResultStream> {
    return openResultStream(this.read(sql, options));
  }

  /**
   * The same READ ONLY transaction and cursor as `run`, fetched a batch at a time as the consumer
   * asks; `statement_timeout` bounds each FETCH, so the wait for every batch, not the whole export.
   */
  private async *read(sql: string, options: StreamOptions): AsyncGenerator<StreamPart, void, undefined> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    options.signal?.throwIfAborted();
    const client = await this.pool.connect();
    const pid = (client as unknown as { processID: number }).processID;
    const cancel = () => void this.pool.query('select pg_cancel_backend($1)', [pid]).catch(() => undefined);
    options.signal?.addEventListener('abort', cancel, { once: true });
    let open = false;
    let broken: Error | undefined;
    try {
      await client.query('begin transaction isolation level repeatable read read only');
      open = true;
      await client.query(`set local statement_timeout = ${Math.max(1, Math.floor(options.timeoutMs))}`);
      await client.query({
        text: `declare oxy_cursor no scroll cursor for ${sql}`,
        queryMode: 'extended',
      } as pg.QueryConfig);
      for (let first = true; ; first = false) {
        if (options.signal?.aborted) throw connectorErrors.cancelled();
        const result = await client.query({ text: `fetch ${batchSize} from oxy_cursor`, rowMode: 'array' });
        if (first)
          yield {
            columns: await Promise.all(
              result.fields.map(async (f) => ({ name: f.name, type: await this.typeName(f.dataTypeID) })),
            ),
          };
        if (result.rows.length > 0) yield { rows: (result.rows as unknown[][]).map((row) => row.map(jsonCell)) };
        if (result.rows.length < batchSize) break;
      }
    } catch (error) {
      if (options.signal?.aborted) throw connectorErrors.cancelled();
      throw translate(error, options.timeoutMs);
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      // Also reached when the consumer stops early: the cursor's transaction ends here.
      if (open) await client.query('rollback').catch((error: Error) => (broken = error));
      // After an abort a pg_cancel_backend may still be on its way: never hand this backend to the next statement.
      client.release(broken ?? options.signal?.aborted);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async typeName(oid: number): Promise<string> {
    let name = this.typeNames.get(oid);
    if (name === undefined) {
      const { rows } = await this.pool.query<{ t: string }>('select format_type($1::oid, null) as t', [oid]);
      name = rows[0]?.t ?? String(oid);
      this.typeNames.set(oid, name);
    }
    return name;
  }
}

function translate(error: unknown, timeoutMs: number): Error {
  const e = error as { code?: string; message?: string };
  if (e.code === '57014') return connectorErrors.timeout(timeoutMs);
  if (e.code === '25006') return connectorErrors.refused(`the database is read-only here: ${e.message}`);
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return connectorErrors.failed(e.message ?? 'failed');
  return error as Error;
}
