import type { SqliteDatabase } from '../db/sqlite-driver.js';
import { quoteIdent as q } from './copy-sql.js';
import type { ColumnDef, EntityDef } from '../db/entities.js';

/** A set of source rows PostgreSQL would reject, with the first ids for the message. */
export interface SourceProblem {
  table: string;
  column: string;
  problem: string;
  count: number;
  ids: string[];
}

/** The SQL condition that is true for a value PostgreSQL would reject, per column. */
// The JavaScript checks (UTF-8 validity, timestamp parsing) are slow per row, so SQL first
// rules out the common case: all-ASCII text, timestamps already in oxy's canonical form.
const NON_ASCII = (c: string) => `length(${c}) != length(cast(${c} as blob))`;
const D = '[0-9]';
const CANONICAL_BASE = `${D}${D}${D}${D}-[01]${D}-[0-3]${D}T[0-2]${D}:[0-5]${D}:[0-5]${D}.${D}${D}${D}`;
/** Canonical and plainly valid (years 1000 on, days up to 28, hours up to 23); anything else goes to oxy_timestamp_ok. */
const CANONICAL_TIMESTAMP = (c: string) =>
  `(${c} glob '${CANONICAL_BASE}Z' or ${c} glob '${CANONICAL_BASE}${D}${D}${D}Z') and substr(${c}, 1, 1) <> '0' and substr(${c}, 6, 2) between '01' and '12' and substr(${c}, 9, 2) between '01' and '28' and substr(${c}, 12, 2) <= '23'`;

interface Rule {
  column: string;
  problem: string;
  where: string;
  join?: string;
}

function rejections(column: ColumnDef): Rule[] {
  const c = `t.${q(column.name)}`;
  const out: Omit<Rule, 'column'>[] = [];
  if (!column.nullable) out.push({ problem: 'NULL in a NOT NULL column', where: `${c} is null` });
  const present = `${c} is not null and`;
  switch (column.type) {
    case 'uuid':
      out.push({
        problem: 'not a UUID',
        where: `${present} (typeof(${c}) != 'text' or length(${c}) != 36 or ${c} glob '*[^0-9a-fA-F-]*')`,
      });
      break;
    case 'text':
      out.push({ problem: 'not text', where: `${present} typeof(${c}) not in ('text')` });
      out.push({
        problem: 'invalid UTF-8',
        where: `${present} ${NON_ASCII(c)} and not oxy_utf8_ok(cast(${c} as blob))`,
      });
      out.push({ problem: 'contains a NUL character', where: `${present} instr(cast(${c} as blob), x'00') > 0` });
      break;
    case 'timestamp':
      out.push({
        problem: 'not an ISO-8601 timestamp',
        where: `${present} not (${CANONICAL_TIMESTAMP(c)}) and not oxy_timestamp_ok(${c})`,
      });
      break;
    case 'json':
      out.push({
        problem: 'invalid UTF-8',
        where: `${present} ${NON_ASCII(c)} and not oxy_utf8_ok(cast(${c} as blob))`,
      });
      out.push({ problem: 'invalid JSON', where: `${present} (typeof(${c}) != 'text' or not json_valid(${c}))` });
      out.push({
        problem: 'JSON contains \\u0000 (jsonb cannot store it)',
        where: `${present} instr(${c}, '\\u0000') > 0 and oxy_escaped_nul(${c})`,
      });
      // Only JSON that could hold such a number is parsed in JavaScript: longer than 16,383
      // characters, or with a negative exponent, or one of six digits or more (in shorter text
      // only those reach 16,384 digits after the point or 131,073 before it).
      out.push({
        problem: "a JSON number beyond numeric's range (jsonb cannot store it)",
        where: `${present} typeof(${c}) = 'text' and (length(${c}) > 16383 or ${c} glob '*[0-9][eE]-*' or ${c} glob '*[0-9][eE][+0-9][0-9][0-9][0-9][0-9][0-9]*') and json_valid(${c}) and not oxy_jsonb_numbers_ok(${c})`,
      });
      break;
    case 'boolean':
      out.push({
        problem: 'not a boolean (0 or 1)',
        where: `${present} (typeof(${c}) != 'integer' or ${c} not in (0, 1))`,
      });
      break;
    case 'bytes':
      out.push({ problem: 'not a blob', where: `${present} typeof(${c}) != 'blob'` });
      break;
    case 'integer':
      out.push({ problem: 'not an integer', where: `${present} typeof(${c}) != 'integer'` });
      break;
  }
  if (column.enum) {
    const values = column.enum.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
    out.push({ problem: `not one of ${column.enum.join(', ')}`, where: `${present} ${c} not in (${values})` });
  }
  if (column.references) {
    const alias = q(`p_${column.name}`);
    out.push({
      problem: `refers to a missing ${column.references.table} row (orphaned foreign key)`,
      join: `left join ${q(column.references.table)} ${alias} on ${alias}.id = ${c}`,
      where: `${present} ${alias}.id is null`,
    });
  }
  return out.map((rule) => ({ ...rule, column: column.name }));
}

/**
 * Finds every row of `entity` that PostgreSQL would reject (for --dry-run; a real run checks the
 * same values while encoding them, batch-encoder.ts, and PostgreSQL checks keys at the end): NULLs
 * in NOT NULL columns, orphaned foreign keys, invalid JSON, invalid UTF-8, NUL characters, wrong
 * types, values outside an enum, rows that would share a unique key.
 */
export function checkEntity(db: SqliteDatabase, entity: EntityDef, sampleSize = 3): SourceProblem[] {
  const rules = entity.columns.flatMap(rejections);
  const joins = rules.flatMap((r) => (r.join ? [r.join] : [])).join(' ');
  const from = `${q(entity.table)} t ${joins}`;
  // One scan of the table counts every rule; ids are fetched only for the rules that fire.
  const counts = db
    .prepare(
      `select ${rules.map((r, i) => `coalesce(sum(case when ${r.where} then 1 else 0 end), 0) as r${i}`).join(', ')} from ${from}`,
    )
    .get() as Record<string, number>;
  const problems: SourceProblem[] = duplicateKeys(db, entity, sampleSize);
  rules.forEach((rule, i) => {
    const count = Number(counts[`r${i}`]);
    if (count === 0) return;
    const ids = (
      db.prepare(`select t.id as id from ${from} where ${rule.where} order by t.id limit ${sampleSize}`).all() as {
        id: unknown;
      }[]
    ).map((r) => String(r.id));
    problems.push({ table: entity.table, column: rule.column, problem: rule.problem, count, ids });
  });
  return problems;
}

/**
 * Rows whose primary or unique key is the same in PostgreSQL though SQLite kept them apart: SQLite
 * compares UUIDs as text, PostgreSQL as UUIDs, so `0190…AB` and `0190…ab` are one value there.
 * (Keys without a UUID compare alike on both sides, and SQLite already enforced them.) Only keys
 * with an upper-case UUID in the table are grouped, so a clean source costs one scan per key.
 */
function duplicateKeys(db: SqliteDatabase, entity: EntityDef, sampleSize: number): SourceProblem[] {
  const keys = [['id'], ...entity.columns.filter((c) => c.unique).map((c) => [c.name]), ...(entity.uniques ?? [])];
  const problems: SourceProblem[] = [];
  for (const key of keys) {
    const uuids = key.filter((name) => entity.columns.find((c) => c.name === name)?.type === 'uuid');
    if (uuids.length === 0) continue;
    const upper = db
      .prepare(
        `select 1 from ${q(entity.table)} where ${uuids.map((c) => `${q(c)} glob '*[A-F]*'`).join(' or ')} limit 1`,
      )
      .get();
    if (!upper) continue;
    const values = key.map((name) => (uuids.includes(name) ? `lower(${q(name)})` : q(name))).join(', ');
    const present = key.map((name) => `${q(name)} is not null`).join(' and ');
    const shared = `select ${values} from ${q(entity.table)} where ${present} group by ${values} having count(*) > 1`;
    const duplicated = `from ${q(entity.table)} where ${present} and (${values}) in (${shared})`;
    const count = Number(db.prepare(`select count(*) ${duplicated}`).pluck().get());
    if (count === 0) continue;
    const ids = db.prepare(`select id ${duplicated} order by id limit ${sampleSize}`).pluck().all().map(String);
    problems.push({
      table: entity.table,
      column: key.join(', '),
      problem: `shares its ${key.length > 1 ? 'unique key' : key[0] === 'id' ? 'id' : 'unique value'} with another row once PostgreSQL compares UUIDs (case does not count there)`,
      count,
      ids,
    });
  }
  return problems;
}

/** One line naming table, row id and column, for errors and the dry-run plan. */
export function describeProblem(p: SourceProblem): string {
  const more = p.count > p.ids.length ? ` and ${p.count - p.ids.length} more` : '';
  return `${p.table} row ${p.ids[0] ?? '?'} column ${p.column}: ${p.problem} (${p.count} row${p.count === 1 ? '' : 's'}: ${p.ids.join(', ')}${more})`;
}
