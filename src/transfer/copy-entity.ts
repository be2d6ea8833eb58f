import crypto from 'node:crypto';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { SqliteDatabase } from '../db/sqlite-driver.js';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityDef } from '../db/entities.js';
import { OxyError } from '../errors.js';
import { COPY_NULL, escapeCopyField } from './copy-text.js';
import { recordBatch, type LedgerProgress } from './transfer-ledger.js';
import { fromSqlite, ValueError } from './value-codec.js';

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const TWO32 = 2 ** 32;

/**
 * Order-independent content checksum of a table: the sum, mod 2^64, of the first 8 bytes of the MD5
 * of each row's canonical values, each followed by U+0001, NULL written as U+0002. oxy computes
 * it for the SQLite rows it reads; PostgreSQL computes it in SQL (verify-entity.ts). Kept as two
 * 32-bit halves so that adding a row costs no BigInt arithmetic.
 */
export class Checksum {
  private hi = 0;
  private lo = 0;

  static of(value: bigint): Checksum {
    const c = new Checksum();
    c.hi = Number((value >> 32n) & 0xffffffffn);
    c.lo = Number(value & 0xffffffffn);
    return c;
  }

  addRow(fields: readonly (string | null)[]): void {
    let text = '';
    for (const field of fields) text += field === null ? '\u0002\u0001' : `${field}\u0001`;
    const digest = crypto.hash('md5', text, 'buffer');
    const sum = this.lo + digest.readUInt32BE(4);
    this.lo = sum % TWO32;
    this.hi = (this.hi + digest.readUInt32BE(0) + (sum >= TWO32 ? 1 : 0)) % TWO32;
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

/** A source value PostgreSQL cannot take, found while copying; names table, row and column. */
export class RowConversionError extends OxyError {
  constructor(
    readonly table: string,
    readonly id: string,
    readonly column: string,
    readonly reason: string,
  ) {
    super('bad_source_row', `cannot copy ${table} row ${id} column ${column}: ${reason}`, {
      hint: 'fix or delete that row in the SQLite file (oxy migrate-sqlite --dry-run lists every such row), then run again with --resume',
    });
  }
}

/** Canonical fields of one raw SQLite row, and the fields to send to COPY (JSON keeps its text). */
export function convertRow(
  entity: EntityDef,
  raw: readonly unknown[],
): { canonical: (string | null)[]; copy: (string | null)[] } {
  const canonical: (string | null)[] = new Array(raw.length);
  const copy: (string | null)[] = new Array(raw.length);
  entity.columns.forEach((column, i) => {
    try {
      canonical[i] = fromSqlite(column.type, raw[i]);
    } catch (error) {
      if (error instanceof ValueError)
        throw new RowConversionError(entity.table, String(raw[0]), column.name, error.message);
      throw error;
    }
    copy[i] = column.type === 'json' && raw[i] != null ? String(raw[i]) : canonical[i]!;
  });
  return { canonical, copy };
}

export interface CopyProgress {
  copiedRows: number;
  lastId: string | null;
  checksum: bigint;
  seconds: number;
}

/**
 * Streams one entity from SQLite into PostgreSQL with COPY FROM STDIN, in keyset batches of
 * `batchSize` rows ordered by id. Each batch is one transaction that also records the progress
 * in the ledger, so an interruption loses at most the batch in flight and `--resume` continues
 * after the last committed id. Memory stays flat: rows are read one at a time and written with
 * backpressure.
 */
export async function copyEntity(options: {
  source: SqliteDatabase;
  client: pg.ClientBase;
  entity: EntityDef;
  batchSize: number;
  from: LedgerProgress;
  onBatch?: (progress: CopyProgress) => void;
}): Promise<CopyProgress> {
  const { source, client, entity, batchSize } = options;
  const columns = entity.columns.map((c) => q(c.name)).join(', ');
  const select = source
    .prepare(`select ${columns} from ${q(entity.table)} where id > ? order by id limit ?`)
    .raw(true)
    .safeIntegers(true);
  const state: CopyProgress = {
    copiedRows: options.from.copiedRows,
    lastId: options.from.lastId,
    checksum: options.from.checksum,
    seconds: options.from.seconds,
  };
  for (;;) {
    const started = performance.now();
    let batchRows = 0;
    let lastId = state.lastId;
    const checksum = Checksum.of(state.checksum);
    await client.query('begin');
    try {
      const stream = client.query(copyFrom(`copy ${q(entity.table)} (${columns}) from stdin`));
      let buffer = '';
      for (const raw of select.iterate(state.lastId ?? '', batchSize) as Iterable<unknown[]>) {
        const { canonical, copy } = convertRow(entity, raw);
        checksum.addRow(canonical);
        buffer += copy.map((f) => (f === null ? COPY_NULL : escapeCopyField(f))).join('\t') + '\n';
        lastId = String(raw[0]);
        batchRows++;
        if (buffer.length >= 1 << 16) {
          const ok = stream.write(buffer);
          buffer = '';
          if (!ok) await once(stream, 'drain');
        }
      }
      if (buffer) stream.write(buffer);
      stream.end();
      await finished(stream);
      if (batchRows === 0) {
        await client.query('commit');
        return state;
      }
      const next = {
        copiedRows: state.copiedRows + batchRows,
        lastId,
        checksum: checksum.value,
        seconds: state.seconds + (performance.now() - started) / 1000,
      };
      await recordBatch(client, { entity: entity.table, ...next });
      await client.query('commit');
      Object.assign(state, next);
      options.onBatch?.(state);
      if (batchRows < batchSize) return state;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  }
}
