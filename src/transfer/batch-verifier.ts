import type pg from 'pg';
import type { SqliteDatabase } from '../db/sqlite-driver.js';
import type { EntityDef } from '../db/entities.js';
import type { EncoderPool } from './encoder-pool.js';
import { copyOutDigest, countRange, countRows, sentDigest } from './postgres-target.js';
import { markVerified, recordVerified } from './transfer-ledger.js';
import { VerificationError } from './transfer-errors.js';
import { firstDifference } from './verify-entity.js';

/** A committed batch to prove: the rows with ids in (afterId, lastId]. */
export interface BatchToVerify {
  entity: EntityDef;
  afterId: string | null;
  lastId: string;
  rows: number;
  /** {@link sentDigest} of the binary COPY data sent; absent for batches committed by an earlier, interrupted run. */
  digest?: string;
  /** Rows of the entity proven once this batch is. */
  verifiedRows: number;
}

/** The end of an entity: every batch proven, then the table's count must be the source's. */
export interface EntityToFinish {
  entity: EntityDef;
  sourceRows: number;
  copySeconds: number;
  done(seconds: number): void;
}

type Item = { batch: BatchToVerify } | { finish: EntityToFinish };

/**
 * Proves each committed batch on a connection of its own while the next batches are copied: the
 * hash of PostgreSQL's COPY output for the batch's id range must equal the hash of the bytes oxy
 * sent (the format frames each row, so the row counts match too). A mismatch is then examined
 * row by row to name the first differing row. Progress is recorded in the ledger as it is
 * proven, and an entity is marked verified as soon as its last batch is, so --resume never redoes
 * proven work.
 *
 * The queue is bounded (`maxBacklog` batches): copying waits rather than letting it grow with the
 * data. Nothing here has a timeout: a slow proof only slows the copy down.
 */
export class BatchVerifier {
  private readonly queue: Item[] = [];
  private readonly roomWaiters: (() => void)[] = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private failure: Error | undefined;
  private readonly loop: Promise<void>;

  constructor(
    private readonly client: pg.Client,
    private readonly source: SqliteDatabase,
    private readonly encoders: EncoderPool,
    private readonly batchSize: number,
    private readonly maxBacklog = 4,
  ) {
    this.loop = this.run();
    this.loop.catch(() => undefined);
  }

  /** Queues a batch; resolves once the backlog has room. Throws if verification has failed. */
  async verify(batch: BatchToVerify): Promise<void> {
    this.push({ batch });
    while (!this.failure && this.queue.length > this.maxBacklog)
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  finish(entity: EntityToFinish): void {
    this.push({ finish: entity });
  }

  /** Waits until everything queued is proven; throws the first failure. */
  async drain(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.loop;
  }

  private push(item: Item): void {
    if (this.failure) throw this.failure;
    this.queue.push(item);
    this.wake?.();
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        const item = this.queue[0];
        if (!item) {
          if (this.closed) return;
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        if ('batch' in item) await this.proveBatch(item.batch);
        else await this.finishEntity(item.finish);
        this.queue.shift();
        this.roomWaiters.splice(0).forEach((resolve) => resolve());
      }
    } catch (error) {
      this.failure = error as Error;
      this.roomWaiters.splice(0).forEach((resolve) => resolve());
      throw error;
    }
  }

  private async proveBatch(batch: BatchToVerify): Promise<void> {
    if (batch.digest === undefined) return this.proveEarlierBatches(batch);
    const digest = await copyOutDigest(this.client, batch.entity, batch.afterId, batch.lastId);
    if (digest !== batch.digest) await this.explainMismatch(batch);
    await recordVerified(this.client, batch.entity.table, batch.verifiedRows, batch.lastId);
  }

  /** Rows an interrupted run committed but did not prove: encoded again from the source. */
  private async proveEarlierBatches(range: BatchToVerify): Promise<void> {
    let afterId = range.afterId;
    let verified = range.verifiedRows - range.rows;
    for (;;) {
      const sent = await this.encoders.encode(range.entity.table, afterId, range.lastId, this.batchSize);
      if (sent.rows === 0 || sent.lastId === null) break;
      verified += sent.rows;
      const hash = sentDigest();
      hash.update(sent.data);
      const digest = hash.digest();
      await this.proveBatch({
        entity: range.entity,
        afterId,
        lastId: sent.lastId,
        rows: sent.rows,
        digest,
        verifiedRows: verified,
      });
      afterId = sent.lastId;
      if (sent.done) break;
    }
    if (verified !== range.verifiedRows) {
      throw new VerificationError(
        `verification failed for ${range.entity.table}: ${range.verifiedRows} rows recorded as copied, ${verified} found in the source`,
      );
    }
  }

  /**
   * Bytes differ: either a real difference (named by its first row), or the same values spelled
   * differently (a source id in upper case sorts differently), which the row-by-row comparison
   * of canonical values accepts.
   */
  private async explainMismatch(batch: BatchToVerify): Promise<void> {
    const targetRows = await countRange(this.client, batch.entity, batch.afterId, batch.lastId);
    const diff = await firstDifference(this.source, this.client, batch.entity, {
      afterId: batch.afterId,
      upTo: batch.lastId,
    });
    if (diff || targetRows !== batch.rows) {
      throw new VerificationError(
        `verification failed for ${batch.entity.table}: rows after ${batch.afterId ?? 'the start'} up to ${batch.lastId}: source ${batch.rows}, target ${targetRows}${diff ? `; first differing row ${diff.id}: ${diff.detail}` : ''}`,
      );
    }
  }

  private async finishEntity({ entity, sourceRows, copySeconds, done }: EntityToFinish): Promise<void> {
    const started = performance.now();
    const rows = await countRows(this.client, entity);
    if (rows !== sourceRows)
      throw new VerificationError(`verification failed for ${entity.table}: source ${sourceRows} rows, target ${rows}`);
    const seconds = copySeconds + (performance.now() - started) / 1000;
    await markVerified(this.client, entity.table, seconds);
    done(seconds);
  }
}
