import { Worker } from 'node:worker_threads';
import type { Cell, ResultColumn, StreamOptions } from './connector.js';
import { connectorErrors } from './connector-errors.js';
import { jsonCell } from './json-values.js';
import type { StreamPart } from './result-stream.js';

/**
 * A worker of its own per stream (a long export must not hold the connector's worker): it opens
 * the file read-only as `run` does, iterates the statement, and posts a batch only when the
 * reader has granted a credit in the shared `flow` array ([credits, stop]), so at most a few
 * batches are ever in memory. Terminating it stops the statement.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const flow = new Int32Array(workerData.flow);
function granted() {
  while (Atomics.load(flow, 0) <= 0) {
    if (Atomics.load(flow, 1) !== 0) return false;
    Atomics.wait(flow, 0, Atomics.load(flow, 0), 1000);
  }
  Atomics.sub(flow, 0, 1);
  return Atomics.load(flow, 1) === 0;
}
try {
  const Database = require(workerData.driver);
  const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('query_only = ON');
  db.defaultSafeIntegers(true);
  const stmt = db.prepare(workerData.sql);
  if (!stmt.readonly) throw Object.assign(new Error('the statement writes'), { code: 'OXY_WRITE' });
  if (!stmt.reader) throw Object.assign(new Error('the statement returns no rows'), { code: 'OXY_WRITE' });
  stmt.raw(true);
  parentPort.postMessage({ columns: stmt.columns().map((c) => ({ name: c.name, type: c.type || '' })) });
  let rows = [];
  let stopped = false;
  for (const row of stmt.iterate()) {
    rows.push(row);
    if (rows.length >= workerData.batchSize) {
      if (!granted()) { stopped = true; break; }
      parentPort.postMessage({ rows });
      rows = [];
    }
  }
  if (!stopped && rows.length > 0 && granted()) parentPort.postMessage({ rows });
  parentPort.postMessage({ done: true });
  db.close();
} catch (error) {
  parentPort.postMessage({ error: { message: String(error && error.message), code: error && error.code } });
}
`;

type Message =
  { columns: ResultColumn[] } | { rows: unknown[][] } | { done: true } | { error: { message: string; code?: string } };

/** Batches in flight between the worker and the reader. */
const CREDITS = 2;

/** The rows of `sql` on the SQLite file, read by a worker that stays at most two batches ahead. */
export async function* readSqlite(
  file: string,
  driver: string,
  sql: string,
  options: StreamOptions & { batchSize: number },
): AsyncGenerator<StreamPart, void, undefined> {
  options.signal?.throwIfAborted();
  const flow = new Int32Array(new SharedArrayBuffer(8));
  flow[0] = CREDITS;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driver, sql, batchSize: options.batchSize, flow: flow.buffer },
  });
  const inbox = new Inbox();
  let stopReason: Error | undefined;
  const stop = (reason: Error) => {
    stopReason ??= reason;
    inbox.fail(reason);
    Atomics.store(flow, 1, 1);
    Atomics.notify(flow, 0);
    void worker.terminate();
  };
  worker.on('message', (message: Message) => inbox.put(message));
  worker.on('error', (error) => inbox.fail(error));
  worker.on('exit', () => inbox.fail(stopReason ?? new Error('the SQLite worker stopped')));
  const timer = setTimeout(() => stop(connectorErrors.timeout(options.timeoutMs)), options.timeoutMs);
  const onAbort = () => stop(connectorErrors.cancelled());
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const message = await inbox.take();
      if ('error' in message) {
        if (message.error.code === 'OXY_WRITE') throw connectorErrors.refused(message.error.message);
        if (message.error.code === 'SQLITE_READONLY') throw connectorErrors.refused(`the database is read-only here`);
        throw connectorErrors.failed(message.error.message);
      }
      if ('done' in message) return;
      if ('columns' in message) {
        yield { columns: message.columns };
        continue;
      }
      clearTimeout(timer);
      yield { rows: message.rows.map((row) => row.map(jsonCell) as Cell[]) };
      Atomics.add(flow, 0, 1);
      Atomics.notify(flow, 0);
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    Atomics.store(flow, 1, 1);
    Atomics.notify(flow, 0);
    // Not awaited: a thread deep in a statement ends when SQLite next returns to it.
    void worker.terminate();
  }
}

/** Messages from the worker, taken one at a time; after a failure every take rejects. */
class Inbox {
  private readonly messages: Message[] = [];
  private failure: Error | undefined;
  private waiting: { resolve: (m: Message) => void; reject: (e: Error) => void } | undefined;

  put(message: Message): void {
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve(message);
    } else this.messages.push(message);
  }

  fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(this.failure);
  }

  take(): Promise<Message> {
    const next = this.messages.shift();
    if (next) return Promise.resolve(next);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }
}
