import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from '../db/sqlite-driver.js';
import { entityByTable } from '../db/entities.js';
import { BatchEncoder, type EncodedChunk } from './batch-encoder.js';
import { quickCheck, type CheckResult } from './source-integrity.js';
import { RowConversionError } from './transfer-errors.js';

export type WorkerRequest =
  | { id: number; table: string; afterId: string | null; upTo: string | null; limit: number }
  | { id: number; check: string };

export type WorkerReply =
  | { id: number; chunk: EncodedChunk }
  | { id: number; checked: CheckResult }
  | { id: number; rowError: { table: string; rowId: string; column: string; reason: string } }
  | { id: number; error: string };

interface Waiting {
  resolve: (result: EncodedChunk | CheckResult) => void;
  reject: (error: Error) => void;
}

/**
 * A fixed set of encoder threads (transfer-worker.ts), each with its own read-only handle on the
 * source; requests go to the least busy one. When the compiled worker file is not there (running
 * from TypeScript sources), batches are encoded inline on `source` instead.
 */
export class EncoderPool {
  private readonly workers: { worker: Worker; pending: Map<number, Waiting>; exited: Promise<unknown> }[] = [];
  private readonly inline = new Map<string, BatchEncoder>();
  private failure: Error | undefined;
  private closing = false;
  private next = 0;

  constructor(
    private readonly source: SqliteDatabase,
    sourcePath: string,
    size: number,
  ) {
    const file = fileURLToPath(new URL('./transfer-worker.js', import.meta.url));
    if (!fs.existsSync(file)) return;
    for (let i = 0; i < size; i++) {
      // A small young generation (a worker holds one chunk at a time: 8 MB cost 12 MB more per
      // thread than 2, for no speed); room in the old one for a single huge value.
      const worker = new Worker(file, {
        workerData: { sourcePath },
        resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 512 },
      });
      const pending = new Map<number, Waiting>();
      worker.on('message', (msg: WorkerReply) => this.settle(pending, msg));
      worker.on('error', (error) => this.fail(error));
      // Known from the start, so that close() returns for a thread that stopped on its own.
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.once('exit', (code) => {
        if (!this.closing) this.fail(new Error(`an encoder thread stopped (exit code ${code})`));
      });
      this.workers.push({ worker, pending, exited });
    }
  }

  /** Chunks that can be encoded at once. */
  get size(): number {
    return Math.max(1, this.workers.length);
  }

  encode(table: string, afterId: string | null, upTo: string | null, limit: number): Promise<EncodedChunk> {
    if (this.workers.length === 0) return this.encodeInline(table, afterId, upTo, limit);
    return this.request({ id: this.next++, table, afterId, upTo, limit }) as Promise<EncodedChunk>;
  }

  /** `PRAGMA quick_check` of one table of the source (source-integrity.ts). */
  check(table: string): Promise<CheckResult> {
    if (this.workers.length === 0) return Promise.resolve(quickCheck(this.source, table));
    return this.request({ id: this.next++, check: table }) as Promise<CheckResult>;
  }

  private request(message: WorkerRequest): Promise<EncodedChunk | CheckResult> {
    if (this.failure) return Promise.reject(this.failure);
    const slot = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    return new Promise((resolve, reject) => {
      slot.pending.set(message.id, { resolve, reject });
      slot.worker.postMessage(message);
    });
  }

  /** Stops the threads (a thread that already stopped, on an error say, is not waited for). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.workers.map(async ({ worker, exited }) => {
        worker.postMessage('close');
        await exited;
      }),
    );
  }

  private async encodeInline(
    table: string,
    afterId: string | null,
    upTo: string | null,
    limit: number,
  ): Promise<EncodedChunk> {
    let encoder = this.inline.get(table);
    if (!encoder) this.inline.set(table, (encoder = new BatchEncoder(this.source, entityByTable(table))));
    return encoder.encode(afterId, upTo, limit);
  }

  private settle(pending: Map<number, Waiting>, msg: WorkerReply): void {
    if (msg.id === -1) return this.fail(new Error('error' in msg ? msg.error : 'encoder thread failed'));
    const waiting = pending.get(msg.id);
    pending.delete(msg.id);
    if (!waiting) return;
    if ('chunk' in msg) waiting.resolve(msg.chunk);
    else if ('checked' in msg) waiting.resolve(msg.checked);
    else if ('rowError' in msg)
      waiting.reject(
        new RowConversionError(msg.rowError.table, msg.rowError.rowId, msg.rowError.column, msg.rowError.reason),
      );
    else waiting.reject(new Error(msg.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const { pending } of this.workers) {
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    }
  }
}
