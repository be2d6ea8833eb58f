import crypto from 'node:crypto';
import { COPY_HEADER, COPY_TRAILER } from './copy-binary.js';
import { quoteIdent as q, quoteLiteral as literal } from './copy-sql.js';
import type { Writable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { entities, type EntityDef } from '../db/entities.js';
import type { DatabaseTarget } from '../db/url.js';
import type { Queryable } from '../db/unfinished-transfer.js';

/**
 * Every statement migrate-sqlite sends to the PostgreSQL target outside the ledger and the
 * deferred constraints: sessions, the lock, emptiness checks, truncation, COPY in and out, and the
 * sequence reset. The orchestrator (migrate-sqlite.ts) only names these steps.
 */

const ENTITIES = entities as readonly EntityDef[];
/** The hash both sides of a batch are compared by (the fastest of node:crypto's here). */
const COPY_DIGEST = 'sha1';
const LOCK_KEY = 0x6f78795f6d73; // 'oxy_ms': one migrate-sqlite at a time per target

/**
 * Session settings of every transfer connection. No timeout of any kind: a copy or a checksum
 * takes as long as the data needs, whatever the server's or the role's defaults. Text in UTF-8
 * (binary COPY sends text in the client encoding); text output, for naming a row that differs, in
 * the forms value-codec.ts reads (ISO dates in UTC, hex bytea). Commits need not wait for the disk:
 * each batch commits its rows and its ledger entry together, so a lost commit loses both alike.
 */
const SESSION = [
  'TimeZone=UTC',
  'DateStyle=ISO',
  'bytea_output=hex',
  'client_encoding=UTF8',
  'statement_timeout=0',
  'lock_timeout=0',
  'idle_in_transaction_session_timeout=0',
  'synchronous_commit=off',
  'maintenance_work_mem=256MB',
]
  .map((s) => `-c ${s}`)
  .join(' ');

/**
 * One dedicated connection (not a pool: nothing waits for a free connection, so nothing can time
 * out waiting). The caller has already proven the server answers (connectWithRetry).
 */
export async function openTargetConnection(target: DatabaseTarget, purpose: string): Promise<pg.Client> {
  if (target.backend !== 'postgres') throw new Error('migrate-sqlite needs a PostgreSQL target');
  const client = new pg.Client({
    connectionString: target.url,
    options: SESSION,
    application_name: `oxy migrate-sqlite ${purpose}`,
  });
  client.on('error', () => {
    // Reported by the query that was running; an idle connection's loss surfaces on its next use.
  });
  await client.connect();
  return client;
}

/** One migrate-sqlite at a time per target; released when the connection ends. */
export async function tryLockTarget(client: Queryable): Promise<boolean> {
  const { rows } = await client.query('select pg_try_advisory_lock($1) as ok', [LOCK_KEY]);
  return rows[0]?.ok === true;
}

/** Application tables of the target that hold at least one row (the schema must exist). */
export async function nonEmptyTables(client: Queryable): Promise<string[]> {
  const found: string[] = [];
  for (const entity of ENTITIES) {
    const { rows } = await client.query(`select exists (select 1 from ${q(entity.table)}) as x`);
    if (rows[0]?.x) found.push(entity.table);
  }
  return found;
}

/**
 * Tables of the target's schema named like oxy's entities. (Not the migration tables: an
 * interrupted first migration leaves those behind, empty, and the next run completes it.)
 */
export async function existingTables(client: Queryable): Promise<string[]> {
  const names = ENTITIES.map((e) => e.table);
  const { rows } = await client.query(
    `select relname from pg_class where relnamespace = current_schema()::regnamespace and relname = any($1) order by relname`,
    [names],
  );
  return rows.map((r) => r.relname as string);
}

export async function truncateEntities(client: Queryable): Promise<void> {
  await client.query(`truncate ${ENTITIES.map((e) => q(e.table)).join(', ')} cascade`);
}

/** A COPY FROM STDIN into the entity's table (inside the caller's transaction); write binary COPY data (copy-binary.ts) to it. */
export function copyIn(client: pg.ClientBase, entity: EntityDef): Writable {
  const columns = entity.columns.map((c) => q(c.name)).join(', ');
  return client.query(copyFrom(`copy ${q(entity.table)} (${columns}) from stdin (format binary)`));
}

/**
 * The hash of a binary COPY stream as oxy sends it: the header, the rows given to `update` (in
 * order), the trailer; what {@link copyOutDigest} computes of PostgreSQL's output for a faithful copy.
 */
export function sentDigest(): { update(rows: Uint8Array): void; digest(): string } {
  const hash = crypto.createHash(COPY_DIGEST).update(COPY_HEADER);
  return {
    update: (rows) => void hash.update(rows),
    digest: () => hash.update(COPY_TRAILER).digest('hex'),
  };
}

/** The condition selecting the rows with ids in (afterId, upTo], from the start when afterId is null. */
export function idRange(afterId: string | null, upTo: string): string {
  return `${afterId === null ? '' : `id > ${literal(afterId)}::uuid and `}id <= ${literal(upTo)}::uuid`;
}

/**
 * The hash ({@link sentDigest}) of PostgreSQL's own binary COPY output for the rows with ids in
 * (afterId, upTo], in id order: for a faithful copy, the same bytes the encoder sent. The format
 * frames every row, so equal hashes also mean equal row counts. (Not the stream's rowCount: it is
 * set from the CommandComplete message, which can arrive after the stream has ended.) Streamed:
 * memory stays flat.
 */
export async function copyOutDigest(
  client: pg.ClientBase,
  entity: EntityDef,
  afterId: string | null,
  upTo: string,
): Promise<string> {
  const columns = entity.columns.map((c) => q(c.name)).join(', ');
  const stream = client.query(
    copyTo(
      `copy (select ${columns} from ${q(entity.table)} where ${idRange(afterId, upTo)} order by id) to stdout (format binary)`,
    ),
  );
  const hash = crypto.createHash(COPY_DIGEST);
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Rows of the entity with ids in (afterId, upTo]. */
export async function countRange(
  client: Queryable,
  entity: EntityDef,
  afterId: string | null,
  upTo: string,
): Promise<number> {
  const { rows } = await client.query(
    `select count(*)::int as n from ${q(entity.table)} where ${idRange(afterId, upTo)}`,
  );
  return rows[0].n as number;
}

export async function countRows(client: Queryable, entity: EntityDef): Promise<number> {
  const { rows } = await client.query(`select count(*)::text as n from ${q(entity.table)}`);
  return Number(rows[0].n);
}

/** Up to `limit` ids of rows whose `column` names a row missing from the referenced table. */
export async function orphanedRows(
  client: Queryable,
  entity: EntityDef,
  column: string,
  limit = 3,
): Promise<{ count: number; ids: string[] }> {
  const ref = entity.columns.find((c) => c.name === column)?.references;
  if (!ref) return { count: 0, ids: [] };
  const where = `c.${q(column)} is not null and not exists (select 1 from ${q(ref.table)} p where p.id = c.${q(column)})`;
  const { rows } = await client.query(
    `select (select count(*) from ${q(entity.table)} c where ${where})::text as n, array(select c.id::text from ${q(entity.table)} c where ${where} order by c.id limit ${limit}) as ids`,
  );
  return { count: Number(rows[0].n), ids: rows[0].ids };
}

/** The first group of rows (by their values) that share the values of `columns`, with up to `limit` of their ids. */
export async function duplicateRows(
  client: Queryable,
  table: string,
  columns: string[],
  limit = 3,
): Promise<{ values: string; ids: string[] } | undefined> {
  const list = columns.map(q).join(', ');
  const { rows } = await client.query(
    `select concat_ws(', ', ${list}) as v, (array_agg(id::text order by id))[1:${limit}] as ids
       from ${q(table)} group by ${list} having count(*) > 1 order by 1 limit 1`,
  );
  return rows[0] ? { values: rows[0].v, ids: rows[0].ids } : undefined;
}

/** Sets every sequence owned by an application table's column to max(column) + 1. */
export async function resetSequences(client: Queryable): Promise<void> {
  const { rows } = await client.query(`
    select s.oid::regclass::text as seq, t.oid::regclass::text as tbl, quote_ident(a.attname) as col
    from pg_class s
    join pg_depend d on d.objid = s.oid and d.deptype in ('a', 'i')
    join pg_class t on t.oid = d.refobjid
    join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
    where s.relkind = 'S' and t.relnamespace = current_schema()::regnamespace`);
  for (const { seq, tbl, col } of rows) {
    await client.query(`select setval('${seq}', coalesce((select max(${col}) from ${tbl}), 0) + 1, false)`);
  }
}
