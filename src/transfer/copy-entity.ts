import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import type { SqliteDatabase, SqliteStatement } from '../db/sqlite-driver.js';
import type { EntityDef } from '../db/entities.js';
import type { EncodedChunk } from './batch-encoder.js';
import { COPY_HEADER, COPY_TRAILER } from './copy-binary.js';
import { quoteIdent } from './copy-sql.js';
import type { BatchVerifier } from './batch-verifier.js';
import type { EncoderPool } from './encoder-pool.js';
import { copyIn, sentDigest } from './postgres-target.js';
import { recordBatch, type LedgerProgress } from './transfer-ledger.js';

export interface CopyProgress {
  copiedRows: number;
  lastId: string | null;
  seconds: number;
}

export interface CopyEntityOptions {
  encoders: EncoderPool;
  /** The source's handle on the main thread, for planning ranges. */
  source: SqliteDatabase;
  client: pg.ClientBase;
  verifier: BatchVerifier;
  entity: EntityDef;
  batchSize: number;
  from: LedgerProgress;
  onBatch?: (progress: CopyProgress) => void;
}

/** Rows per request to an encoder thread: small, so that memory stays flat and the pipeline fills. */
const CHUNK_ROWS = 2_500;

/** A planned request: the rows after the previous slot's, up to `upTo` (to the end when null). */
interface Slot {
  upTo: string | null;
  chunk: Promise<EncodedChunk>;
}

/**
 * The entity's rows in id order, as encoded chunks, with up to `ahead` chunks being encoded at
 * once by the pool's threads while the caller sends the current one. The ranges are planned
 * from the source's id index (the id CHUNK_ROWS rows further on), so threads can encode
 * consecutive ranges in parallel; a chunk cut short by its byte limit is followed by the rest of
 * its range before the next one. Memory: at most `ahead` chunks.
 */
export class ChunkReader {
  private readonly slots: Slot[] = [];
  private readonly boundary: SqliteStatement;
  /** The end of the last planned range; undefined once the plan reaches the end of the table. */
  private planned: string | null | undefined;

  constructor(
    private readonly encoders: EncoderPool,
    source: SqliteDatabase,
    private readonly table: string,
    afterId: string | null,
    private readonly ahead = encoders.size * 2,
  ) {
    this.boundary = source
      .prepare(`select id from ${quoteIdent(table)} where id > ? order by id limit 1 offset ${CHUNK_ROWS - 1}`)
      .pluck();
    this.planned = afterId;
    this.fill();
  }

  async next(): Promise<EncodedChunk | undefined> {
    const slot = this.slots[0];
    if (!slot) return undefined;
    const chunk = await slot.chunk;
    if (!chunk.done && chunk.lastId !== null && chunk.lastId !== slot.upTo) {
      // Cut short by size: the rest of the range comes next.
      this.slots[0] = this.request(chunk.lastId, slot.upTo);
    } else {
      this.slots.shift();
      this.fill();
    }
    return chunk.rows > 0 ? chunk : this.next();
  }

  private fill(): void {
    while (this.slots.length < this.ahead && this.planned !== undefined) {
      const afterId = this.planned;
      const upTo = (this.boundary.get(afterId ?? '') as string | undefined) ?? null;
      this.slots.push(this.request(afterId, upTo));
      this.planned = upTo ?? undefined;
    }
  }

  private request(afterId: string | null, upTo: string | null): Slot {
    const chunk = this.encoders.encode(this.table, afterId, upTo, upTo === null ? CHUNK_ROWS : CHUNK_ROWS + 1);
    chunk.catch(() => undefined); // observed by next()
    return { upTo, chunk };
  }
}

/**
 * Streams one entity into PostgreSQL with COPY FROM STDIN, in keyset batches of `batchSize` rows
 * ordered by id. Each batch is one transaction that also records the progress in the ledger, so
 * an interruption loses at most the batch in flight and `--resume` continues after the last
 * committed id; once committed, the batch is handed to the verifier with the hash of the bytes
 * sent. Memory is bounded by two chunks per entity being copied.
 */
export async function copyEntity(options: CopyEntityOptions): Promise<CopyProgress> {
  const { entity, from } = options;
  const state: CopyProgress = { copiedRows: from.copiedRows, lastId: from.lastId, seconds: from.seconds };
  await proveUnverified(options);
  const chunks = new ChunkReader(options.encoders, options.source, entity.table, state.lastId);
  for (;;) {
    const started = performance.now();
    const batch = await copyBatch(options, chunks, state);
    if (!batch) return state;
    await options.verifier.verify({
      entity,
      afterId: state.lastId,
      lastId: batch.lastId,
      rows: batch.rows,
      digest: batch.digest,
      verifiedRows: state.copiedRows + batch.rows,
    });
    Object.assign(state, {
      copiedRows: state.copiedRows + batch.rows,
      lastId: batch.lastId,
      seconds: state.seconds + (performance.now() - started) / 1000,
    });
    options.onBatch?.(state);
  }
}

/** Batches an interrupted run committed before it could prove them. */
async function proveUnverified({ verifier, entity, from }: CopyEntityOptions): Promise<void> {
  if (from.lastId === null || from.verifiedRows >= from.copiedRows) return;
  await verifier.verify({
    entity,
    afterId: from.verifiedId,
    lastId: from.lastId,
    rows: from.copiedRows - from.verifiedRows,
    verifiedRows: from.copiedRows,
  });
}

/** One batch: up to `batchSize` rows in one COPY and one transaction with its ledger entry. */
async function copyBatch(
  { client, entity, batchSize }: CopyEntityOptions,
  chunks: ChunkReader,
  state: CopyProgress,
): Promise<{ rows: number; lastId: string; digest: string } | undefined> {
  let chunk = await chunks.next();
  if (!chunk) return undefined;
  const hash = sentDigest();
  let rows = 0;
  let lastId = state.lastId!;
  await client.query('begin');
  const stream = copyIn(client, entity);
  try {
    stream.write(COPY_HEADER);
    for (; chunk; chunk = rows < batchSize ? await chunks.next() : undefined) {
      hash.update(chunk.data);
      rows += chunk.rows;
      lastId = chunk.lastId!;
      if (!stream.write(chunk.data)) await once(stream, 'drain');
    }
    stream.end(COPY_TRAILER);
    await finished(stream);
    await recordBatch(client, {
      entity: entity.table,
      copiedRows: state.copiedRows + rows,
      lastId,
      seconds: state.seconds,
    });
    await client.query('commit');
  } catch (error) {
    stream.destroy(error as Error);
    await finished(stream).catch(() => undefined);
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
  return { rows, lastId, digest: hash.digest() };
}
