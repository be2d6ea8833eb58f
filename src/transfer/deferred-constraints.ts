import { LEDGER_SCHEMA, type Queryable } from '../db/unfinished-transfer.js';

/**
 * Bulk loads are much faster without foreign-key triggers, unique constraints other than the
 * primary key, and secondary indexes to maintain (a unique index on two columns cost run_steps
 * 2.7 s per million rows to maintain, 0.8 s to build at the end), so migrate-sqlite drops them
 * for the copy and re-creates them at the end, where PostgreSQL validates every foreign key and
 * every unique key in one pass each. Their definitions are kept in the ledger first, so an
 * interrupted run still restores them on --resume. Primary keys stay: a row copied twice is
 * refused at once.
 */

export async function deferConstraints(client: Queryable, tables: readonly string[]): Promise<number> {
  await client.query(`create table if not exists ${LEDGER_SCHEMA}.deferred (
    name text primary key, table_name text not null, kind text not null, definition text not null)`);
  const { rows } = await client.query(
    `select con.conname as name, cl.relname as table_name, 'constraint' as kind, pg_get_constraintdef(con.oid) as definition
       from pg_constraint con join pg_class cl on cl.oid = con.conrelid
      where con.contype in ('f', 'u') and cl.relnamespace = current_schema()::regnamespace and cl.relname = any($1)
     union all
     select i.relname, t.relname, 'index', pg_get_indexdef(i.oid)
       from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
      where not x.indisunique and not x.indisprimary and t.relnamespace = current_schema()::regnamespace and t.relname = any($1)`,
    [tables],
  );
  for (const row of rows) {
    await client.query(
      `insert into ${LEDGER_SCHEMA}.deferred (name, table_name, kind, definition) values ($1, $2, $3, $4) on conflict (name) do nothing`,
      [row.name, row.table_name, row.kind, row.definition],
    );
    if (row.kind === 'constraint') await client.query(`alter table "${row.table_name}" drop constraint "${row.name}"`);
    else await client.query(`drop index "${row.name}"`);
  }
  return rows.length;
}

/** A foreign key that cannot be re-created: some rows of `table` refer to missing rows. */
export class ForeignKeyViolation extends Error {
  constructor(
    readonly table: string,
    readonly constraint: string,
    cause: unknown,
  ) {
    super(`${table}: foreign key ${constraint} does not hold`, { cause });
  }
}

/** A unique constraint that cannot be re-created: rows of `table` share the values of `columns`. */
export class UniqueViolation extends Error {
  constructor(
    readonly table: string,
    readonly columns: string[],
    cause: unknown,
  ) {
    super(`${table}: (${columns.join(', ')}) is not unique`, { cause });
  }
}

/** The columns of a `UNIQUE (a, b)` definition as pg_get_constraintdef prints it. */
function uniqueColumns(definition: string): string[] {
  const inside = /^UNIQUE (?:NULLS NOT DISTINCT )?\((.*)\)/.exec(definition)?.[1] ?? '';
  return inside.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
}

interface Deferred {
  name: string;
  table_name: string;
  kind: 'constraint' | 'index';
  definition: string;
}

/**
 * Re-creates what {@link deferConstraints} dropped, a table at a time on each of `clients` at
 * once (the heaviest tables, by `weight`, first); a table's indexes before its constraints.
 * Statements on different tables only wait for each other's locks; should PostgreSQL still pick
 * one as a deadlock victim (two tables referring to each other), it is run again.
 */
export async function restoreConstraints(
  clients: readonly Queryable[],
  weight: (table: string) => number = () => 0,
): Promise<number> {
  const [first] = clients;
  const exists = await first!.query(`select to_regclass('${LEDGER_SCHEMA}.deferred')::text as t`);
  if (exists.rows[0]?.t == null) return 0;
  const rows = (
    await first!.query(
      `select name, table_name, kind, definition from ${LEDGER_SCHEMA}.deferred order by kind desc, name`,
    )
  ).rows as Deferred[];
  const byTable = new Map<string, Deferred[]>();
  for (const row of rows) {
    const list = byTable.get(row.table_name) ?? [];
    list.push(row);
    byTable.set(row.table_name, list);
  }
  const queue = [...byTable.keys()].sort((a, b) => weight(b) - weight(a));
  const results = await Promise.allSettled(
    clients.map(async (client) => {
      for (let table = queue.shift(); table !== undefined; table = queue.shift())
        for (const row of byTable.get(table)!) await restoreOne(client, row);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return rows.length;
}

async function restoreOne(client: Queryable, row: Deferred): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await restoreStatement(client, row);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt === 3) throw error;
    }
  }
  await client.query(`delete from ${LEDGER_SCHEMA}.deferred where name = $1`, [row.name]);
}

async function restoreStatement(client: Queryable, row: Deferred): Promise<void> {
  if (row.kind === 'index') {
    await client.query(row.definition.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS '));
    return;
  }
  const present = await client.query(`select 1 from pg_constraint where conname = $1 and conrelid = $2::regclass`, [
    row.name,
    `"${row.table_name}"`,
  ]);
  if (present.rows.length > 0) return;
  try {
    await client.query(`alter table "${row.table_name}" add constraint "${row.name}" ${row.definition}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '23503') throw new ForeignKeyViolation(row.table_name, row.name, error);
    if (code === '23505') throw new UniqueViolation(row.table_name, uniqueColumns(row.definition), error);
    throw error;
  }
}
