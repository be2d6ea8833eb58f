import { parentPort, workerData } from 'node:worker_threads';
import { entityByTable } from '../db/entities.js';
import { BatchEncoder } from './batch-encoder.js';
import { RowConversionError } from './transfer-errors.js';
import { openSqlite } from '../db/sqlite-driver.js';
import type { WorkerReply, WorkerRequest } from './encoder-pool.js';
import { quickCheck } from './source-integrity.js';

/**
 * One of migrate-sqlite's encoder threads: reads keyset batches from its own read-only handle on
 * the source and encodes them as binary COPY rows (batch-encoder.ts), off the main thread; and
 * checks tables of the source before the copy (quick_check). workerData: { sourcePath }.
 * Messages: WorkerRequest → WorkerReply; 'close'.
 */
const { sourcePath } = workerData as { sourcePath: string };

function main(): void {
  const port = parentPort!;
  // The main thread has opened this file (and upgraded it to the current schema on a copy if needed).
  const db = openSqlite(sourcePath, { readonly: true, fileMustExist: true });
  const encoders = new Map<string, BatchEncoder>();
  port.on('message', (msg: WorkerRequest | 'close') => {
    if (msg === 'close') {
      db.close();
      port.close();
      return;
    }
    if ('check' in msg) {
      port.postMessage({ id: msg.id, checked: quickCheck(db, msg.check) } satisfies WorkerReply);
      return;
    }
    let reply: WorkerReply;
    try {
      let encoder = encoders.get(msg.table);
      if (!encoder) encoders.set(msg.table, (encoder = new BatchEncoder(db, entityByTable(msg.table))));
      const chunk = encoder.encode(msg.afterId, msg.upTo, msg.limit);
      port.postMessage({ id: msg.id, chunk } satisfies WorkerReply, [chunk.data.buffer as ArrayBuffer]);
      return;
    } catch (error) {
      reply =
        error instanceof RowConversionError
          ? {
              id: msg.id,
              rowError: { table: error.table, rowId: error.rowId, column: error.column, reason: error.reason },
            }
          : { id: msg.id, error: (error as Error).message };
    }
    port.postMessage(reply);
  });
}

try {
  main();
} catch (error) {
  parentPort?.postMessage({ id: -1, error: (error as Error).message } satisfies WorkerReply);
}
