import type { SqliteDatabase, SqliteStatement } from '../db/sqlite-driver.js';
import type { EntityDef } from '../db/entities.js';
import { encoderSql } from './copy-sql.js';
import { COPY_NULL, escapeCopyField } from './copy-text.js';
import { RowConversionError } from './transfer-errors.js';
import { postgresCopyText, ValueError } from './value-codec.js';

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A run of consecutive rows of an entity (by id), in COPY text format, ready to send and to hash. */
export interface EncodedChunk {
  /** UTF-8 COPY text, one line per row, in id order. */
  text: Uint8Array;
  rows: number;
  /** The id of the last row (the chunk covers ids in (afterId, lastId]). */
  lastId: string | null;
  /** No rows are left after this chunk (in the requested range). */
  done: boolean;
}

/** A chunk stops after this much text, whatever its row count, so memory stays flat with large rows. */
const CHUNK_CHARS = 1 << 18;

/**
 * Reads keyset chunks of one entity from SQLite and encodes them as the exact text PostgreSQL's
 * COPY prints for the same rows. Every check that names a bad row happens here, on the way: NULL
 * in a NOT NULL column, wrong types, values outside an enum, invalid UTF-8, NUL characters,
 * invalid JSON, bad timestamps. (Orphaned foreign keys are found by PostgreSQL when the foreign
 * keys are re-created at the end.)
 */
export class BatchEncoder {
  private readonly open: SqliteStatement;
  private readonly bounded: SqliteStatement;
  private readonly one: SqliteStatement;
  private readonly enums: (ReadonlySet<string> | undefined)[];

  constructor(
    db: SqliteDatabase,
    private readonly entity: EntityDef,
  ) {
    const { flag, columns } = encoderSql(entity);
    const base = `select ${flag}, ${columns.join(', ')} from ${q(entity.table)} where id > ?`;
    this.open = db.prepare(`${base} order by id limit ?`).raw(true);
    this.bounded = db.prepare(`${base} and id <= ? order by id limit ?`).raw(true);
    this.one = db
      .prepare(`select ${entity.columns.map((c) => q(c.name)).join(', ')} from ${q(entity.table)} where id = ?`)
      .raw(true)
      .safeIntegers(true);
    this.enums = entity.columns.map((c) => (c.enum ? new Set(c.enum) : undefined));
  }

  /** Up to `limit` rows (fewer past {@link CHUNK_CHARS}) with ids after `afterId` (and up to `upTo`, when given). */
  encode(afterId: string | null, upTo: string | null, limit: number): EncodedChunk {
    const rows = (
      upTo === null ? this.open.iterate(afterId ?? '', limit) : this.bounded.iterate(afterId ?? '', upTo, limit)
    ) as Iterable<unknown[]>;
    const width = this.entity.columns.length;
    let text = '';
    let count = 0;
    let lastId: string | null = null;
    for (const row of rows) {
      lastId = String(row[1]);
      if (row[0] !== 0) this.reject(lastId, Number(row[0]) - 1);
      for (let i = 0; i < width; i++) text += (i === 0 ? '' : '\t') + this.field(row[i + 1], i, lastId);
      text += '\n';
      if (++count < limit && text.length >= CHUNK_CHARS)
        return { text: new TextEncoder().encode(text), rows: count, lastId, done: false };
    }
    return { text: new TextEncoder().encode(text), rows: count, lastId, done: count < limit };
  }

  /** The value of column `i` as COPY text; integers arrive as their decimal text. */
  private field(value: unknown, i: number, id: string): string {
    const column = this.entity.columns[i]!;
    if (value === null) {
      if (!column.nullable)
        throw new RowConversionError(this.entity.table, id, column.name, 'NULL in a NOT NULL column');
      return COPY_NULL;
    }
    if (column.type === 'integer') return value as string;
    let text: string;
    try {
      text = postgresCopyText(column.type, value)!;
    } catch (error) {
      if (error instanceof ValueError) throw new RowConversionError(this.entity.table, id, column.name, error.message);
      throw error;
    }
    const allowed = this.enums[i];
    if (allowed && !allowed.has(text))
      throw new RowConversionError(this.entity.table, id, column.name, `not one of ${[...allowed].join(', ')}`);
    return column.type === 'text' || column.type === 'json' || column.type === 'bytes' ? escapeCopyField(text) : text;
  }

  /** A row SQLite flagged: names the problem, from the raw value. */
  private reject(id: string, i: number): never {
    const column = this.entity.columns[i]!;
    if (column.type === 'text' || column.type === 'json')
      throw new RowConversionError(this.entity.table, id, column.name, 'invalid UTF-8');
    const raw = (this.one.get(id) as unknown[])[i];
    const found =
      typeof raw === 'bigint'
        ? 'integer'
        : Buffer.isBuffer(raw)
          ? 'blob'
          : typeof raw === 'number'
            ? 'real'
            : typeof raw;
    throw new RowConversionError(
      this.entity.table,
      id,
      column.name,
      `expected an integer, found ${found} ${JSON.stringify(String(raw).slice(0, 40))}`,
    );
  }
}
