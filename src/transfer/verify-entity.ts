import type { SqliteDatabase } from '../db/sqlite-driver.js';
import { quoteIdent as q } from './copy-sql.js';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { EntityDef } from '../db/entities.js';
import { copyLines, unescapeCopyField } from './copy-text.js';
import { idRange } from './postgres-target.js';
import { fromPostgresCopy, fromSqlite } from './value-codec.js';

/** Rows with ids in (afterId, upTo]; the whole table without a range. */
export interface IdRange {
  afterId: string | null;
  upTo: string;
}

/** Reads the entity's rows back from PostgreSQL as canonical fields. */
async function* targetRows(
  client: pg.ClientBase,
  entity: EntityDef,
  range?: IdRange,
): AsyncGenerator<(string | null)[]> {
  const columns = entity.columns.map((c) => q(c.name)).join(', ');
  const where = range ? ` where ${idRange(range.afterId, range.upTo)}` : '';
  const stream = client.query(copyTo(`copy (select ${columns} from ${q(entity.table)}${where}) to stdout`));
  for await (const line of copyLines(stream)) {
    const fields = line.split('\t');
    yield entity.columns.map((column, i) => fromPostgresCopy(column.type, unescapeCopyField(fields[i] ?? '\\N')));
  }
}

/** The source's rows (in the range) as canonical fields, keyed by lower-case id. */
function sourceRows(source: SqliteDatabase, entity: EntityDef, range?: IdRange): Map<string, (string | null)[]> {
  const columns = entity.columns.map((c) => q(c.name)).join(', ');
  const where = range ? ` where id > ? and id <= ?` : '';
  const select = source
    .prepare(`select ${columns} from ${q(entity.table)}${where}`)
    .raw(true)
    .safeIntegers(true);
  const rows = new Map<string, (string | null)[]>();
  for (const raw of (range ? select.iterate(range.afterId ?? '', range.upTo) : select.iterate()) as Iterable<
    unknown[]
  >) {
    const canonical = entity.columns.map((column, i) => fromSqlite(column.type, raw[i]));
    rows.set(String(canonical[0]), canonical);
  }
  return rows;
}

/**
 * The first row (by id) that differs between source and target, with the first differing column,
 * comparing canonical values (value-codec.ts). Used only after a batch's bytes did not match, over
 * that batch's range, so holding its rows is bounded by the batch size.
 */
export async function firstDifference(
  source: SqliteDatabase,
  client: pg.ClientBase,
  entity: EntityDef,
  range?: IdRange,
): Promise<{ id: string; detail: string } | undefined> {
  const expectedRows = sourceRows(source, entity, range);
  const differences: { id: string; detail: string }[] = [];
  const seen = new Set<string>();
  for await (const fields of targetRows(client, entity, range)) {
    const id = String(fields[0]);
    seen.add(id);
    const expected = expectedRows.get(id);
    if (!expected) {
      differences.push({ id, detail: 'present in the target but not in the source' });
      continue;
    }
    const column = entity.columns.findIndex((_, i) => expected[i] !== fields[i]);
    if (column >= 0) differences.push({ id, detail: `column ${entity.columns[column]!.name} differs` });
  }
  for (const id of expectedRows.keys()) if (!seen.has(id)) differences.push({ id, detail: 'missing from the target' });
  differences.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return differences[0];
}
