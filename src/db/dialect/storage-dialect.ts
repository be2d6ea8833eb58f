import type { Kysely, RawBuilder } from 'kysely';
import type { ColumnDef, LogicalType, OnDelete } from '../entities.js';
import type { Backend, DatabaseTarget } from '../url.js';
import type { OxyError } from '../../errors.js';

/** What a database's own catalog says about one table. */
export interface CatalogTable {
  name: string;
  columns: { name: string; type: string; nullable: boolean }[];
  foreignKeys: { column: string; references: string; onDelete: OnDelete | 'no action' }[];
  uniques: string[][];
}

export type ConstraintKind = 'unique' | 'foreign_key' | 'not_null' | 'check';

/**
 * Everything that differs between SQLite and PostgreSQL lives behind this seam: connecting,
 * storage types, value encoding, error classification and catalog introspection.
 */
export interface StorageDialect {
  readonly backend: Backend;
  /**
   * Row locks a claim can skip (`FOR UPDATE SKIP LOCKED`): concurrent claims take different rows.
   * Without them (SQLite), a claim runs in a write transaction and claims serialize.
   */
  readonly skipLocked: boolean;
  /** Opens a Kysely instance on the target (the caller owns it and destroys it). */
  open(target: DatabaseTarget, options?: { readonly?: boolean; poolSize?: number }): Promise<Kysely<any>>;
  /** The storage type of a logical type, as written in DDL. */
  columnType(type: LogicalType): string;
  /** A column's default, rendered for DDL. */
  defaultValue(column: ColumnDef): RawBuilder<unknown>;
  /** JS value → driver parameter. */
  encode(type: LogicalType, value: unknown): unknown;
  /** Driver value → JS value. */
  decode(type: LogicalType, value: unknown): unknown;
  /** Which constraint an error from the driver violated, if any. */
  constraintViolated(error: unknown): ConstraintKind | undefined;
  /** Turns a connection failure into a one-line error with a fix, or returns undefined. */
  connectionError(error: unknown, target: DatabaseTarget): OxyError | undefined;
  /** The application tables as the database's own catalog describes them. */
  introspect(db: Kysely<any>): Promise<CatalogTable[]>;
  /** The server's version string. */
  serverVersion(db: Kysely<any>): Promise<string>;
  /**
   * Adds a unique constraint over `columns` to an existing table, named `<table>_<cols>_key` as
   * createEntityTable names them (SQLite cannot add a constraint: a unique index is its equivalent).
   */
  addUnique(db: Kysely<any>, table: string, columns: readonly string[]): Promise<void>;
}
