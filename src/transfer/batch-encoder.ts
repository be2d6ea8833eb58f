import { isUtf8 } from 'node:buffer';
import type { SqliteDatabase, SqliteStatement } from '../db/sqlite-driver.js';
import type { ColumnDef, EntityDef } from '../db/entities.js';
import { encoderSql, quoteIdent as q } from './copy-sql.js';
import { CopyBinaryWriter, JSONB_VERSION } from './copy-binary.js';
import { RowConversionError } from './transfer-errors.js';
import { fromSqlite, ValueError } from './value-codec.js';

/** A run of consecutive rows of an entity (by id), as binary COPY rows, ready to send and to hash. */
export interface EncodedChunk {
  /** The rows in PostgreSQL's binary COPY format (without its header and trailer), in id order. */
  data: Uint8Array;
  rows: number;
  /** The id of the last row (the chunk covers ids in (afterId, lastId]). */
  lastId: string | null;
  /** No rows are left after this chunk (in the requested range). */
  done: boolean;
}

/** A chunk stops after this many bytes, whatever its row count, so memory stays flat with large rows. */
const CHUNK_BYTES = 1 << 19;

/**
 * Writes a column's value when it is one oxy itself writes (UUIDs, canonical timestamps, text
 * without NUL, integers, booleans) with nothing but a test, and returns true; false (nothing
 * written) sends the value down {@link BatchEncoder.field}'s general path, which writes it or
 * names what is wrong with it.
 */
export type QuickField = (out: CopyBinaryWriter, value: unknown) => boolean;

const CANONICAL_TIME =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}(?:\d{3})?Z$/;
const none: QuickField = () => false;
/**
 * What better-sqlite3 reads in place of bytes that are not UTF-8 (V8 decodes them so). Text
 * holding it takes the general path, which looks at the stored bytes.
 */
const REPLACEMENT = '\ufffd';

export function quickField(column: ColumnDef, allowed: ReadonlySet<string> | undefined): QuickField {
  switch (column.type) {
    case 'integer':
      return (out, value) => value !== null && (out.int8(value as string), true);
    case 'uuid':
      return (out, value) => typeof value === 'string' && out.uuid(value);
    case 'text':
      return (out, value) =>
        typeof value === 'string' &&
        !value.includes('\u0000') &&
        !value.includes(REPLACEMENT) &&
        (!allowed || allowed.has(value)) &&
        (out.text(value), true);
    case 'timestamp':
      // Days 29 to 31 and years before 1000 take the general path, which knows which exist.
      return (out, value) =>
        typeof value === 'string' &&
        CANONICAL_TIME.test(value) &&
        value.charCodeAt(0) !== 0x30 &&
        (out.timestamp(value), true);
    case 'boolean':
      return (out, value) => (value === 0 || value === 1) && (out.boolean(value === 1), true);
    case 'json':
      return (out, value) => typeof value === 'string' && out.jsonb(value);
    default:
      return none;
  }
}

/**
 * Reads keyset chunks of one entity from SQLite and encodes them as binary COPY rows, byte for
 * byte what PostgreSQL's binary COPY prints for the same rows once stored. Every check that names
 * a bad row happens here, on the way: NULL in a NOT NULL column, wrong types, values outside an
 * enum, invalid UTF-8, NUL characters, invalid JSON, bad timestamps. (Orphaned foreign keys are
 * found by PostgreSQL when the foreign keys are re-created at the end.)
 */
export class BatchEncoder {
  private readonly open: SqliteStatement;
  private readonly bounded: SqliteStatement;
  private readonly one: SqliteStatement;
  private readonly bytes: (SqliteStatement | undefined)[];
  private readonly enums: (ReadonlySet<string> | undefined)[];
  private readonly quick: QuickField[];

  constructor(
    private readonly db: SqliteDatabase,
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
    this.bytes = entity.columns.map(() => undefined);
    this.enums = entity.columns.map((c) => (c.enum ? new Set(c.enum) : undefined));
    this.quick = entity.columns.map((c, i) => quickField(c, this.enums[i]));
  }

  /** Up to `limit` rows (fewer past {@link CHUNK_BYTES}) with ids after `afterId` (and up to `upTo`, when given). */
  encode(afterId: string | null, upTo: string | null, limit: number): EncodedChunk {
    const rows = (
      upTo === null ? this.open.iterate(afterId ?? '', limit) : this.bounded.iterate(afterId ?? '', upTo, limit)
    ) as Iterable<unknown[]>;
    const width = this.entity.columns.length;
    const out = new CopyBinaryWriter(CHUNK_BYTES + (CHUNK_BYTES >> 2));
    let count = 0;
    let lastId: string | null = null;
    for (const row of rows) {
      lastId = String(row[1]);
      if (row[0] !== 0) this.reject(lastId, Number(row[0]) - 1);
      out.row(width);
      for (let i = 0; i < width; i++) {
        const value = row[i + 1];
        if (!this.quick[i]!(out, value)) this.field(out, value, i, lastId);
      }
      if (++count < limit && out.length >= CHUNK_BYTES) return { data: out.finish(), rows: count, lastId, done: false };
    }
    return { data: out.finish(), rows: count, lastId, done: count < limit };
  }

  /** Column `i`'s value by the general path, or the error naming the row. */
  private field(out: CopyBinaryWriter, value: unknown, i: number, id: string): void {
    const column = this.entity.columns[i]!;
    if (
      (column.type === 'text' || column.type === 'json') &&
      typeof value === 'string' &&
      value.includes(REPLACEMENT) &&
      !this.utf8(id, i)
    )
      throw new RowConversionError(this.entity.table, id, column.name, 'invalid UTF-8');
    try {
      writeField(out, column, this.enums[i], value);
    } catch (error) {
      if (error instanceof ValueError) throw new RowConversionError(this.entity.table, id, column.name, error.message);
      throw error;
    }
  }

  /** Whether row `id`'s column `i` is stored as valid UTF-8 (a real U+FFFD, say). */
  private utf8(id: string, i: number): boolean {
    const name = q(this.entity.columns[i]!.name);
    this.bytes[i] ??= this.db.prepare(`select cast(${name} as blob) from ${q(this.entity.table)} where id = ?`).pluck();
    const stored = this.bytes[i].get(id);
    return Buffer.isBuffer(stored) && isUtf8(stored);
  }

  /** A row SQLite flagged (an integer column holding something else): names the problem, from the raw value. */
  private reject(id: string, i: number): never {
    const column = this.entity.columns[i]!;
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

/**
 * The general path: any value SQLite can hold, checked against the column (NULL, type, enum,
 * UTF-8 and NUL, JSON, dates that exist) and written in binary COPY form. Integers arrive as their
 * decimal text. Throws ValueError.
 */
export function writeField(
  out: CopyBinaryWriter,
  column: ColumnDef,
  allowed: ReadonlySet<string> | undefined,
  value: unknown,
): void {
  if (value === null) {
    if (!column.nullable) throw new ValueError('NULL in a NOT NULL column');
    return out.null();
  }
  if (column.type === 'integer') return out.int8(value as string);
  if (column.type === 'bytes') {
    if (!Buffer.isBuffer(value)) throw new ValueError(`expected a blob, found ${typeof value}`);
    return out.bytes(value);
  }
  const canonical = fromSqlite(column.type, value)!;
  if (allowed && !allowed.has(canonical)) throw new ValueError(`not one of ${[...allowed].join(', ')}`);
  switch (column.type) {
    case 'uuid':
      out.uuid(canonical);
      return;
    case 'timestamp':
      return out.timestamp(canonical);
    case 'boolean':
      return out.boolean(canonical === 't');
    case 'json':
      return out.text(canonical, JSONB_VERSION);
    default:
      return out.text(canonical);
  }
}
