import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { OxyError } from '../../errors.js';
import { dbErrors } from '../db-errors.js';
import type { ColumnDef, LogicalType } from '../entities.js';
import { canonicalTimestamp } from '../timestamp.js';
import type { DatabaseTarget } from '../url.js';
import type { CatalogTable, ConstraintKind, StorageDialect } from './storage-dialect.js';

const TYPES: Record<LogicalType, string> = {
  uuid: 'uuid',
  text: 'text',
  timestamp: 'timestamptz',
  json: 'jsonb',
  boolean: 'boolean',
  bytes: 'bytea',
  integer: 'bigint',
};

const UDT_NAMES: Record<string, string> = { int8: 'bigint', bool: 'boolean' };

const OID = { int8: 20, timestamptz: 1184 } as const;

/** Type parsers that make PostgreSQL hand back the same JS values as SQLite does. */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID.int8) return (value: string) => Number(value);
    if (oid === OID.timestamptz) return (value: string) => canonicalTimestamp(value);
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
} as pg.CustomTypesConfig;

/**
 * A pg Pool configured the way oxy needs it: UTC session time zone, canonical timestamps, int8 as
 * number, and an idle-client error handler so a server restart does not crash the process.
 */
export function createPool(
  url: string,
  options: { max?: number; connectionTimeoutMillis?: number; readonly?: boolean } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    // --readonly: the server itself refuses any write, whatever the code above it does.
    options: options.readonly ? '-c TimeZone=UTC -c default_transaction_read_only=on' : '-c TimeZone=UTC',
    types: typeParsers,
    application_name: 'oxy',
  });
  pool.on('error', () => {
    // An idle client lost its connection (server restart); the pool replaces it on next use.
  });
  return pool;
}

const pools = new WeakMap<Kysely<any>, pg.Pool>();

/**
 * The pg Pool behind a Kysely instance opened by this dialect, for what Kysely cannot do (COPY).
 */
export function pgPoolOf(db: Kysely<any>): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('not a PostgreSQL database opened by oxy');
  return pool;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  'ENETUNREACH',
]);

export const postgresDialect: StorageDialect = {
  backend: 'postgres',
  skipLocked: true,

  async open(target: DatabaseTarget, options = {}) {
    if (target.backend !== 'postgres') throw new Error('postgres dialect needs a postgres target');
    const pool = createPool(target.url, {
      ...(options.poolSize === undefined ? {} : { max: options.poolSize }),
      ...(options.readonly ? { readonly: true } : {}),
    });
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    pools.set(db, pool);
    return db;
  },

  columnType: (type) => TYPES[type],

  defaultValue(column: ColumnDef) {
    const value = column.default;
    if (column.type === 'json') return sql`${sql.lit(String(value))}::jsonb`;
    if (typeof value === 'boolean' || typeof value === 'number') return sql.lit(value);
    return sql.lit(String(value));
  },

  encode(type, value) {
    if (value === null || value === undefined) return null;
    // pg would turn JS arrays into PostgreSQL arrays: hand it JSON text instead.
    if (type === 'json') return JSON.stringify(value);
    return value;
  },

  decode(type, value) {
    if (value === null || value === undefined) return null;
    if (type === 'timestamp' && value instanceof Date) return value.toISOString();
    return value;
  },

  constraintViolated(error): ConstraintKind | undefined {
    switch ((error as { code?: unknown })?.code) {
      case '23505':
        return 'unique';
      case '23503':
        return 'foreign_key';
      case '23502':
        return 'not_null';
      case '23514':
        return 'check';
      default:
        return undefined;
    }
  },

  connectionError(error, target): OxyError | undefined {
    if (target.backend !== 'postgres') return undefined;
    const err = error as { code?: string; message?: string };
    if (err.code === '28P01' || /password/i.test(err.message ?? '')) return dbErrors.passwordRejected(target, error);
    if (err.code === '28000') return dbErrors.userRefused(target, err.message ?? '', error);
    if (err.code === '3D000') return dbErrors.databaseMissing(target, error);
    if (err.code === '57P03' || err.code === '57P01') return dbErrors.serverNotAccepting(target, error);
    if ((err.code && UNREACHABLE.has(err.code)) || /timeout|terminated|ECONNREFUSED/i.test(err.message ?? '')) {
      return dbErrors.unreachable(target, err.code ?? err.message ?? '', error);
    }
    return undefined;
  },

  async introspect(db) {
    const columns = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>`
      select c.table_name, c.column_name, c.udt_name as data_type, c.is_nullable
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' and c.table_name not like 'kysely_%'
      order by c.table_name, c.ordinal_position`.execute(db);
    const fks = await sql<{ table_name: string; column_name: string; references: string; on_delete: string }>`
      select cl.relname as table_name, a.attname as column_name, rf.relname as references,
             case con.confdeltype when 'c' then 'cascade' when 'n' then 'set null' when 'r' then 'restrict' else 'no action' end as on_delete
      from pg_constraint con
      join pg_class cl on cl.oid = con.conrelid
      join pg_namespace ns on ns.oid = cl.relnamespace and ns.nspname = current_schema()
      join pg_class rf on rf.oid = con.confrelid
      join pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
      where con.contype = 'f'
      order by 1, 2`.execute(db);
    const uniques = await sql<{ table_name: string; columns: string[] }>`
      select cl.relname as table_name,
             array(select a.attname from unnest(con.conkey) with ordinality k(n, i)
                   join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i)::text[] as columns
      from pg_constraint con
      join pg_class cl on cl.oid = con.conrelid
      join pg_namespace ns on ns.oid = cl.relnamespace and ns.nspname = current_schema()
      where con.contype = 'u'`.execute(db);
    const byName = new Map<string, CatalogTable>();
    for (const row of columns.rows) {
      let table = byName.get(row.table_name);
      if (!table)
        byName.set(row.table_name, (table = { name: row.table_name, columns: [], foreignKeys: [], uniques: [] }));
      table.columns.push({
        name: row.column_name,
        type: UDT_NAMES[row.data_type] ?? row.data_type,
        nullable: row.is_nullable === 'YES',
      });
    }
    for (const fk of fks.rows) {
      byName.get(fk.table_name)?.foreignKeys.push({
        column: fk.column_name,
        references: fk.references,
        onDelete: fk.on_delete as CatalogTable['foreignKeys'][number]['onDelete'],
      });
    }
    for (const u of uniques.rows) byName.get(u.table_name)?.uniques.push(u.columns);
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  },

  async serverVersion(db) {
    const { rows } = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db);
    return `PostgreSQL ${rows[0]?.v ?? 'unknown'}`;
  },
  async addUnique(db, table, columns) {
    const name = `${table}_${columns.join('_')}_key`;
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(name)} unique (${sql.join(columns.map((c) => sql.id(c)))})`.execute(
      db,
    );
  },
};
