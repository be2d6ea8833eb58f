import { CATALOG_ROW_LIMIT, snapshotFromRows, type CatalogOptions, type CatalogSnapshot } from './catalog-snapshot.js';
import type { Connector } from './connector.js';
import { connectorErrors } from './connector-errors.js';
import type { DatabaseKind } from './database-config.js';

/**
 * One statement per engine that reads its whole catalog: a row per column, as
 * `[dataset, table, kind, rowCount, column, type, nullable, ordinal]` (see catalog-snapshot.ts),
 * ordered by dataset, table and ordinal. System schemas are left out.
 */
export const CATALOG_QUERIES: Record<DatabaseKind, string> = {
  // pg_catalog rather than information_schema: it also lists materialized views, gives the
  // planner's row estimate (reltuples is -1 before the first ANALYZE) and is much faster.
  postgres: `
select n.nspname::text as dataset, c.relname::text as name,
  case when c.relkind in ('v', 'm') then 'view' else 'table' end as kind,
  case when c.relkind in ('r', 'p', 'm') and c.reltuples >= 0 then c.reltuples::bigint end as row_count,
  a.attname::text as column_name, format_type(a.atttypid, a.atttypmod) as data_type,
  not a.attnotnull as nullable,
  row_number() over (partition by c.oid order by a.attnum) as ordinal
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.relkind in ('r', 'p', 'v', 'm', 'f')
  and not c.relispartition
  and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
  and n.nspname not like 'pg\\_temp\\_%' and n.nspname not like 'pg\\_toast\\_temp\\_%'
order by 1, 2, a.attnum`,
  // The connection's database when the config names one, else every non-system database.
  mysql: `
select t.table_schema as dataset, t.table_name as name,
  case when t.table_type like '%VIEW' then 'view' else 'table' end as kind,
  t.table_rows as row_count,
  c.column_name as column_name, c.column_type as data_type,
  case when c.is_nullable = 'YES' then 1 else 0 end as nullable,
  c.ordinal_position as ordinal
from information_schema.tables t
left join information_schema.columns c on c.table_schema = t.table_schema and c.table_name = t.table_name
where t.table_schema not in ('mysql', 'sys', 'performance_schema', 'information_schema')
  and (database() is null or t.table_schema = database())
order by 1, 2, c.ordinal_position`,
  // Tables and views of the attached database itself (not temp/system); a dataset folder's
  // file-backed views included.
  duckdb: `
with relations as (
  select database_name, schema_name, table_name as name, 'table' as kind, estimated_size as row_count
  from duckdb_tables() where not internal
  union all
  select database_name, schema_name, view_name, 'view', null from duckdb_views() where not internal
)
select r.schema_name as dataset, r.name, r.kind, r.row_count,
  c.column_name, c.data_type, c.is_nullable as nullable, c.column_index as ordinal
from relations r
left join duckdb_columns() c
  on c.database_name = r.database_name and c.schema_name = r.schema_name and c.table_name = r.name
where r.database_name = current_database()
order by 1, 2, c.column_index`,
  // SQLite keeps no row estimates; hidden = 1 marks a virtual table's hidden columns.
  sqlite: `
select 'main' as dataset, t.name, case when t.type = 'view' then 'view' else 'table' end as kind,
  null as row_count, p.name as column_name, p.type as data_type,
  case when p."notnull" = 0 and p.pk = 0 then 1 else 0 end as nullable,
  p.cid + 1 as ordinal
from pragma_table_list as t
left join pragma_table_xinfo(t.name, t.schema) as p on p.hidden <> 1
where t.schema = 'main' and t.type in ('table', 'view', 'virtual') and t.name not like 'sqlite\\_%' escape '\\'
order by 1, 2, p.cid`,
};

/**
 * Reads the catalog of `kind` through the connector's own `run`: the same read-only mode, the
 * same timeout and cancellation as user SQL (the statement guard is not asked: the text is ours).
 */
export async function readCatalog(
  connector: Pick<Connector, 'run'>,
  kind: DatabaseKind,
  options: CatalogOptions,
): Promise<CatalogSnapshot> {
  const result = await connector.run(CATALOG_QUERIES[kind], {
    limit: CATALOG_ROW_LIMIT,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.truncated) throw connectorErrors.failed(`the catalog has more than ${CATALOG_ROW_LIMIT} columns`);
  return snapshotFromRows(result.rows);
}
