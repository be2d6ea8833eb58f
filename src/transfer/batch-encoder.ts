import type { SqliteDatabase, SqliteStatement } from '../db/sqlite-driver.js';
import type { ColumnDef, EntityDef } from '../db/entities.js';
import { encoderSql, quoteIdent as q } from './copy-sql.js';
import { COPY_NULL, escapeCopyField } from './copy-text.js';
import { RowConversionError } from './transfer-errors.js';
import { postgresCopyText, postgresTimestampText, ValueError } from './value-codec.js';

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

/** A chunk stops after this many bytes of text, whatever its row count, so memory stays flat with large rows. */
const CHUNK_BYTES = 1 << 19;
const TAB = 0x09;
const NEWLINE = 0x0a;

/**
 * A column's COPY text for the values oxy itself writes (lower-case UUIDs, canonical timestamps,
 * text without characters to escape), with nothing but a test; undefined sends the value down
 * {@link BatchEncoder.field}'s general path, which writes it or names what is wrong with it.
 */
type QuickField = (value: unknown) => string | undefined;

const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Characters COPY escapes, and NUL (which PostgreSQL cannot store). */
// eslint-disable-next-line no-control-regex
const SPECIAL = /[\\\n\r\t\b\f\v\u0000]/;
const CANONICAL_TIME =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}(?:\d{3})?Z$/;
const none: QuickField = () => undefined;

export function quickField(column: ColumnDef, allowed: ReadonlySet<string> | undefined): QuickField {
  switch (column.type) {
    case 'integer':
      return (value) => (value === null ? undefined : (value as string));
    case 'uuid':
      return (value) => (typeof value === 'string' && LOWER_UUID.test(value) ? value : undefined);
    case 'text':
      return (value) =>
        typeof value === 'string' && !SPECIAL.test(value) && (!allowed || allowed.has(value)) ? value : undefined;
    case 'timestamp':
      // Days 29 to 31 take the general path, which knows the months they exist in.
      return (value) =>
        typeof value === 'string' && CANONICAL_TIME.test(value) ? postgresTimestampText(value) : undefined;
    default:
      return none;
  }
}

/** Buffer's own UTF-8 writer (what `write(string, offset, 'utf8')` calls after checking its arguments). */
type Utf8Writable = Buffer & { utf8Write(value: string, offset: number): number };

/**
 * The chunk's UTF-8 text, written field by field into one buffer of its own (transferable to
 * the main thread): no string concatenation, no re-encoding of a joined string.
 */
class ChunkWriter {
  private buffer = Buffer.allocUnsafeSlow(CHUNK_BYTES + (CHUNK_BYTES >> 2));
  length = 0;

  byte(value: number): void {
    if (this.length === this.buffer.length) this.grow(1);
    this.buffer[this.length++] = value;
  }

  text(value: string): void {
    // A UTF-16 code unit never takes more than 3 bytes of UTF-8.
    if (this.length + value.length * 3 > this.buffer.length) this.grow(value.length * 3);
    this.length += (this.buffer as Utf8Writable).utf8Write(value, this.length);
  }

  /** The text written, as a view of a buffer that nothing else shares. */
  finish(): Uint8Array {
    return new Uint8Array(this.buffer.buffer, 0, this.length);
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + needed));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}

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
  private readonly quick: QuickField[];

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
    this.quick = entity.columns.map((c, i) => quickField(c, this.enums[i]));
  }

  /** Up to `limit` rows (fewer past {@link CHUNK_BYTES}) with ids after `afterId` (and up to `upTo`, when given). */
  encode(afterId: string | null, upTo: string | null, limit: number): EncodedChunk {
    const rows = (
      upTo === null ? this.open.iterate(afterId ?? '', limit) : this.bounded.iterate(afterId ?? '', upTo, limit)
    ) as Iterable<unknown[]>;
    const width = this.entity.columns.length;
    const out = new ChunkWriter();
    let count = 0;
    let lastId: string | null = null;
    for (const row of rows) {
      lastId = String(row[1]);
      if (row[0] !== 0) this.reject(lastId, Number(row[0]) - 1);
      for (let i = 0; i < width; i++) {
        if (i > 0) out.byte(TAB);
        const value = row[i + 1];
        out.text(this.quick[i]!(value) ?? this.field(value, i, lastId));
      }
      out.byte(NEWLINE);
      if (++count < limit && out.length >= CHUNK_BYTES) return { text: out.finish(), rows: count, lastId, done: false };
    }
    return { text: out.finish(), rows: count, lastId, done: count < limit };
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
