import type { SqliteDatabase } from '../db/sqlite-driver.js';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { EntityDef } from '../db/entities.js';
import { convertRow } from './copy-entity.js';
import { copyLines, unescapeCopyField } from './copy-text.js';
import { fromPostgresCopy } from './value-codec.js';

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Reads every row of the entity back from PostgreSQL as canonical fields. */
async function* targetRows(client: pg.ClientBase, entity: EntityDef): AsyncGenerator<(string | null)[]> {
  const columns = entity.columns.map((c) => q(c.name)).join(', ');
  const stream = client.query(copyTo(`copy (select ${columns} from ${q(entity.table)}) to stdout`));
  for await (const line of copyLines(stream)) {
    const fields = line.split('\t');
    yield entity.columns.map((column, i) => fromPostgresCopy(column.type, unescapeCopyField(fields[i] ?? '\\N')));
  }
}

/**
 * The first row (by id) that differs between source and target, with the first differing column;
 * used only after a mismatch, so holding one digest per row is acceptable.
 */
export async function firstDifference(
  source: SqliteDatabase,
  client: pg.ClientBase,
  entity: EntityDef,
): Promise<{ id: string; detail: string } | undefined> {
  const columns = entity.columns.map((c) => q(c.name)).join(', ');
  const sourceRows = new Map<string, (string | null)[]>();
  for (const raw of source
    .prepare(`select ${columns} from ${q(entity.table)}`)
    .raw(true)
    .safeIntegers(true)
    .iterate() as Iterable<unknown[]>) {
    const { canonical } = convertRow(entity, raw);
    sourceRows.set(String(canonical[0]), canonical);
  }
  const differences: { id: string; detail: string }[] = [];
  const seen = new Set<string>();
  for await (const fields of targetRows(client, entity)) {
    const id = String(fields[0]);
    seen.add(id);
    const expected = sourceRows.get(id);
    if (!expected) {
      differences.push({ id, detail: 'present in the target but not in the source' });
      continue;
    }
    const column = entity.columns.findIndex((_, i) => expected[i] !== fields[i]);
    if (column >= 0) differences.push({ id, detail: `column ${entity.columns[column]!.name} differs` });
  }
  for (const id of sourceRows.keys()) if (!seen.has(id)) differences.push({ id, detail: 'missing from the target' });
  differences.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return differences[0];
}

/** The SQL rendering of one column's canonical text (see value-codec.ts), NULL as U+0002. */
function canonicalSql(column: EntityDef['columns'][number]): string {
  const c = q(column.name);
  const utc = `(${c} at time zone 'UTC')`;
  const expr = {
    uuid: `${c}::text`,
    text: c,
    integer: `${c}::text`,
    json: `${c}::text`,
    boolean: `case when ${c} then 't' else 'f' end`,
    bytes: `'\\x' || encode(${c}, 'hex')`,
    timestamp: `to_char(${utc}, 'YYYY-MM-DD"T"HH24:MI:SS.') || case when extract(microseconds from ${c})::bigint % 1000 = 0 then to_char(${utc}, 'MS') else to_char(${utc}, 'US') end || 'Z'`,
  }[column.type];
  return `coalesce(${expr}, chr(2)) || chr(1)`;
}

/**
 * Row count and content checksum of the entity, computed by PostgreSQL itself in one query: the
 * same canonical text and hash as {@link Checksum}, without sending a row back to oxy.
 */
export async function targetChecksumSql(
  client: { query(text: string): Promise<{ rows: any[] }> },
  entity: EntityDef,
): Promise<{ rows: number; checksum: bigint }> {
  const row = entity.columns.map(canonicalSql).join(' || ');
  const { rows } = await client.query(`
    select count(*)::text as n,
           (((coalesce(sum(('x' || substr(md5(${row}), 1, 16))::bit(64)::bigint::numeric), 0) % 18446744073709551616) + 18446744073709551616) % 18446744073709551616)::text as checksum
    from ${q(entity.table)}`);
  return { rows: Number(rows[0].n), checksum: BigInt(rows[0].checksum) };
}
