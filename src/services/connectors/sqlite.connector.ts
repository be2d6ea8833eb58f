import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
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
import { openResultStream } from './result-stream.js';
import { readSqlite } from './sqlite-stream.js';
import type { SqliteConfig } from './database-config.js';
import { jsonCell } from './json-values.js';

/**
 * The worker that owns the better-sqlite3 handle. better-sqlite3 is synchronous, so a statement
 * can only be stopped by terminating the thread it runs on. The file is opened read-only with
 * `query_only`, and a statement runs only if better-sqlite3 says it is `readonly` and returns rows.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('query_only = ON');
db.defaultSafeIntegers(true);
parentPort.on('message', (msg) => {
  try {
    if (msg.type === 'version') {
      parentPort.postMessage({ id: msg.id, result: db.prepare('select sqlite_version() as v').get().v });
      return;
    }
    const stmt = db.prepare(msg.sql);
    if (!stmt.readonly) throw Object.assign(new Error('the statement writes'), { code: 'OXY_WRITE' });
    if (!stmt.reader) throw Object.assign(new Error('the statement returns no rows'), { code: 'OXY_WRITE' });
    stmt.raw(true);
    const columns = stmt.columns().map((c) => ({ name: c.name, type: c.type || '' }));
    const rows = [];
    let truncated = false;
    for (const row of stmt.iterate()) {
      if (rows.length >= msg.limit) { truncated = true; break; }
      rows.push(row);
    }
    parentPort.postMessage({ id: msg.id, result: { columns, rows, truncated } });
  } catch (error) {
    parentPort.postMessage({ id: msg.id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

interface Answer {
  id: number;
  result?: unknown;
  error?: { message: string; code?: string };
}

/** Which better-sqlite3 build this Node.js loads (see src/db/sqlite-driver.ts). */
function driverPath(): string {
  const require = createRequire(import.meta.url);
  if (Number(process.versions.node.split('.')[0]) >= 22) {
    try {
      return require.resolve('better-sqlite3-napi');
    } catch {
      // Node 22 and 23 still load version 12.
    }
  }
  return require.resolve('better-sqlite3');
}

export class SqliteConnector implements Connector {
  private worker: Worker | undefined;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly config: SqliteConfig) {}

  async test(): Promise<TestResult> {
    const started = performance.now();
    const answer = await this.ask({ type: 'version' }, 10_000);
    return {
      ok: true,
      serverVersion: `SQLite ${String(answer.result)}`,
      latencyMs: Math.round(performance.now() - started),
    };
  }

  async run(sql: string, options: RunOptions): Promise<QueryResult> {
    const started = performance.now();
    const answer = await this.ask({ type: 'run', sql, limit: options.limit }, options.timeoutMs, options.signal);
    if (answer.error) {
      if (answer.error.code === 'OXY_WRITE') throw connectorErrors.refused(answer.error.message);
      if (answer.error.code === 'SQLITE_READONLY') throw connectorErrors.refused(`the database is read-only here`);
      throw connectorErrors.failed(answer.error.message);
    }
    const result = answer.result as { columns: QueryResult['columns']; rows: unknown[][]; truncated: boolean };
    const rows = result.rows.map((row) => row.map(jsonCell));
    return {
      columns: result.columns,
      rows,
      rowCount: rows.length,
      truncated: result.truncated,
      elapsedMs: Math.round(performance.now() - started),
    };
  }

  catalog(options: CatalogOptions): Promise<CatalogSnapshot> {
    return readCatalog(this, 'sqlite', options);
  }

  async stream(sql: string, options: StreamOptions): Promise<ResultStream> {
    if (!fs.existsSync(this.config.path)) throw new Error(`no such file: ${this.config.path}`);
    return openResultStream(
      readSqlite(this.config.path, driverPath(), sql, {
        ...options,
        batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      }),
    );
  }

  async close(): Promise<void> {
    await this.stop();
  }

  /** One statement at a time per file; past the timeout the thread (and the statement) is ended. */
  private ask(message: object, timeoutMs: number, signal?: AbortSignal): Promise<Answer> {
    const run = this.queue.then(() => this.send(message, timeoutMs, signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private send(message: object, timeoutMs: number, signal?: AbortSignal): Promise<Answer> {
    if (!fs.existsSync(this.config.path)) return Promise.reject(new Error(`no such file: ${this.config.path}`));
    const worker = this.start();
    const id = this.next++;
    return new Promise<Answer>((resolve, reject) => {
      const stop = () => {
        this.pending.delete(id);
        void this.stop();
        reject(connectorErrors.timeout(timeoutMs));
      };
      const timer = setTimeout(stop, timeoutMs);
      signal?.addEventListener('abort', stop, { once: true });
      this.pending.set(id, {
        resolve: (answer) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', stop);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', stop);
          reject(error);
        },
      });
      worker.postMessage({ id, ...message });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: this.config.path, driver: driverPath() },
    });
    worker.unref();
    worker.on('message', (answer: Answer) => {
      const waiting = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      waiting?.resolve(answer);
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('the SQLite worker stopped')));
    this.worker = worker;
    return worker;
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
