import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { ColumnDef, EntityDef } from '../entities.js';
import type { StorageDialect } from '../dialect/storage-dialect.js';

/**
 * Creates one entity's table, its constraints and indexes, in the dialect's storage types.
 * Names follow PostgreSQL's conventions on both backends: `<table>_pkey`, `<table>_<cols>_key`,
 * `<table>_<col>_fkey`, `<table>_<col>_check`, `<table>_<col>_length`, `<table>_<cols>_idx`.
 */
export async function createEntityTable(db: Kysely<any>, dialect: StorageDialect, entity: EntityDef): Promise<void> {
  let builder = db.schema.createTable(entity.table) as CreateTableBuilder<string, string>;
  for (const column of entity.columns) {
    builder = builder.addColumn(column.name, sql.raw(dialect.columnType(column.type)), (col) => {
      let c = col;
      if (!column.nullable) c = c.notNull();
      if (column.default !== undefined) c = c.defaultTo(dialect.defaultValue(column));
      return c;
    });
  }
  builder = builder.addPrimaryKeyConstraint(`${entity.table}_pkey`, ['id']);
  for (const column of entity.columns) {
    if (column.unique) builder = builder.addUniqueConstraint(`${entity.table}_${column.name}_key`, [column.name]);
    if (column.references) {
      builder = builder.addForeignKeyConstraint(
        `${entity.table}_${column.name}_fkey`,
        [column.name],
        column.references.table,
        ['id'],
        (fk) => fk.onDelete(column.references!.onDelete),
      );
    }
    if (column.enum) builder = builder.addCheckConstraint(`${entity.table}_${column.name}_check`, enumCheck(column));
    if (column.maxLength !== undefined) {
      builder = builder.addCheckConstraint(
        `${entity.table}_${column.name}_length`,
        sql`length(${sql.ref(column.name)}) <= ${sql.lit(column.maxLength)}`,
      );
    }
  }
  for (const columns of entity.uniques ?? []) {
    builder = builder.addUniqueConstraint(`${entity.table}_${columns.join('_')}_key`, [...columns]);
  }
  await builder.execute();
  for (const column of entity.columns.filter((c) => c.references)) {
    await db.schema.createIndex(`${entity.table}_${column.name}_idx`).on(entity.table).column(column.name).execute();
  }
  for (const columns of entity.indexes ?? []) {
    await db.schema
      .createIndex(`${entity.table}_${columns.join('_')}_idx`)
      .on(entity.table)
      .columns([...columns])
      .execute();
  }
}

function enumCheck(column: ColumnDef) {
  const values = (column.enum ?? []).map((v) => sql.lit(v));
  return sql`${sql.ref(column.name)} in (${sql.join(values)})`;
}
