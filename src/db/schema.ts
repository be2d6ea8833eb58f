import type { Entities, LogicalType, TableName } from './entities.js';

/** A JSON value as stored in a json column. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

interface LogicalTypeValues {
  uuid: string;
  text: string;
  timestamp: string;
  json: JsonValue;
  boolean: boolean;
  bytes: Buffer;
  integer: number;
}

type ColumnValue<C> = C extends { type: infer T extends LogicalType }
  ? | (C extends { enum: readonly (infer E)[] } ? E : LogicalTypeValues[T])
    | (C extends { nullable: true } ? null : never)
  : never;

type EntityOf<T extends TableName> = Extract<Entities[number], { table: T }>;

/**
 * The JavaScript shape of one row of `T`, the same on SQLite and PostgreSQL: timestamps are
 * ISO-8601 UTC strings, json columns parsed values, booleans booleans, bytes Buffers.
 *
 * @example
 * const thread: Row<'threads'> = await repo.get('threads', id);
 */
export type Row<T extends TableName> = {
  -readonly [C in EntityOf<T>['columns'][number] as C['name']]: ColumnValue<C>;
};

/** Every table's row type, keyed by table name (the Kysely database shape, decoded). */
export type Database = { [T in TableName]: Row<T> };
