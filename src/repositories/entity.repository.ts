import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { AppDatabase } from '../db/connect.js';
import { entities, entityByTable, type EntityDef, type TableName } from '../db/entities.js';
import { decodeRow, encodeRow } from '../db/row-codec.js';
import { nowTimestamp } from '../db/timestamp.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { scopeCondition, type RowScope } from './workspace-scope.js';

export type RowValues = Record<string, unknown>;

export interface ListOptions {
  /** Equality filters on columns. */
  where?: RowValues;
  /** Rows whose column equals one of these values are left out. */
  exclude?: RowValues;
  /** Rows whose `title` contains this text, in any case (tables with a title column). */
  titleContains?: string;
  /** Return rows whose id sorts after this one (ids are UUIDv7, so this is creation order). */
  after?: string;
  limit?: number;
  /** Only rows of the workspaces this scope may see (filtered in SQL, so pages stay full). */
  scope?: RowScope;
}

export interface Page {
  items: RowValues[];
  nextCursor: string | null;
}

export const MAX_PAGE_SIZE = 500;

/**
 * All SQL for the application entities, one generic repository driven by entities.ts. Rows go in
 * and come out as the JS values services use; constraint violations become ConflictError with
 * the offending column named, the same on SQLite and PostgreSQL.
 *
 * @example
 * const repo = new EntityRepository(app);
 * const ws = await repo.insert('workspaces', { name: 'Data', slug: 'data', owner_id: userId });
 */
export class EntityRepository {
  /**
   * @param inTransaction true for a repository on a transaction: a failed statement aborts a
   * PostgreSQL transaction, so its errors are thrown as they are, for the caller to explain
   * after the rollback with {@link explainFailure}.
   */
  constructor(
    readonly app: AppDatabase,
    private readonly inTransaction = false,
  ) {}

  private get db() {
    return this.app.db;
  }

  async list(table: TableName, options: ListOptions = {}): Promise<Page> {
    const entity = entityByTable(table);
    const limit = Math.min(Math.max(options.limit ?? 50, 1), MAX_PAGE_SIZE);
    let query = this.db
      .selectFrom(table)
      .selectAll()
      .orderBy('id')
      .limit(limit + 1);
    const where = encodeRow(this.app.dialect, entity, options.where ?? {});
    for (const [column, value] of Object.entries(where)) {
      query = value === null ? query.where(column, 'is', null) : query.where(column, '=', value);
    }
    for (const [column, value] of Object.entries(encodeRow(this.app.dialect, entity, options.exclude ?? {}))) {
      query = query.where(column, '!=', value);
    }
    if (options.titleContains) query = query.where(titleContains(options.titleContains));
    if (options.after) query = query.where('id', '>', options.after);
    if (options.scope) query = query.where(scopeCondition(table, options.scope));
    const rows = await query.execute();
    const items = rows.slice(0, limit).map((row) => decodeRow(this.app.dialect, entity, row));
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]?.id) : null };
  }

  async find(table: TableName, id: string): Promise<RowValues | undefined> {
    const entity = entityByTable(table);
    const row = await this.db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? decodeRow(this.app.dialect, entity, row) : undefined;
  }

  async get(table: TableName, id: string): Promise<RowValues> {
    const row = await this.find(table, id);
    if (!row) throw new NotFoundError(`${table} ${id} not found`);
    return row;
  }

  /** Finds the first row matching every given column (e.g. a user by email). */
  async findBy(table: TableName, where: RowValues): Promise<RowValues | undefined> {
    const page = await this.list(table, { where, limit: 1 });
    return page.items[0];
  }

  async count(table: TableName): Promise<number> {
    const row = await this.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insert(table: TableName, values: RowValues): Promise<RowValues> {
    const entity = entityByTable(table);
    const now = nowTimestamp();
    const full = {
      ...values,
      id: values.id ?? uuidv7(),
      created_at: values.created_at ?? now,
      updated_at: values.updated_at ?? now,
    };
    const encoded = encodeRow(this.app.dialect, entity, full);
    try {
      const row = await this.db.insertInto(table).values(encoded).returningAll().executeTakeFirstOrThrow();
      return decodeRow(this.app.dialect, entity, row);
    } catch (error) {
      if (this.inTransaction) throw error;
      throw await this.explain(error, entity, full, undefined);
    }
  }

  async update(table: TableName, id: string, patch: RowValues): Promise<RowValues> {
    const entity = entityByTable(table);
    const { id: _id, created_at: _created, ...rest } = patch;
    const values: RowValues = { ...rest, updated_at: nowTimestamp() };
    const encoded = encodeRow(this.app.dialect, entity, values);
    try {
      const row = await this.db.updateTable(table).set(encoded).where('id', '=', id).returningAll().executeTakeFirst();
      if (!row) throw new NotFoundError(`${table} ${id} not found`);
      return decodeRow(this.app.dialect, entity, row);
    } catch (error) {
      if (error instanceof NotFoundError || this.inTransaction) throw error;
      throw await this.explain(error, entity, values, id);
    }
  }

  async delete(table: TableName, id: string): Promise<void> {
    const entity = entityByTable(table);
    try {
      const result = await this.db.deleteFrom(table).where('id', '=', id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new NotFoundError(`${table} ${id} not found`);
    } catch (error) {
      if (error instanceof NotFoundError) throw error;
      if (this.app.dialect.constraintViolated(error) === 'foreign_key') {
        const referrers = await this.referrers(entity.table, id);
        throw new ConflictError(
          `cannot delete ${table} ${id}: ${referrers.join(', ') || 'other rows'} still refer to it; delete or reassign them first`,
          { referrers },
        );
      }
      throw error;
    }
  }

  /** What a failed write of `values` to `table` (row `id` for an update) was about, as insert and update report it. */
  async explainFailure(error: unknown, table: TableName, values: RowValues, id?: string): Promise<unknown> {
    return this.explain(error, entityByTable(table), values, id);
  }

  /** Turns a constraint violation into a ConflictError naming the column, by asking the data. */
  private async explain(
    error: unknown,
    entity: EntityDef,
    values: RowValues,
    id: string | undefined,
  ): Promise<unknown> {
    const kind = this.app.dialect.constraintViolated(error);
    if (kind === 'unique') {
      for (const columns of uniqueSets(entity)) {
        if (!columns.every((c) => c in values) && id === undefined) continue;
        let query = this.db.selectFrom(entity.table).select('id');
        const current = id ? await this.find(entity.table as TableName, id) : undefined;
        const probe = { ...current, ...values };
        const encoded = encodeRow(this.app.dialect, entity, Object.fromEntries(columns.map((c) => [c, probe[c]])));
        for (const c of columns) query = query.where(c, '=', encoded[c]);
        if (id) query = query.where('id', '!=', id);
        if (await query.executeTakeFirst()) {
          const described = columns.map((c) => `${c}=${JSON.stringify(probe[c])}`).join(', ');
          return new ConflictError(`a ${entity.table} row with ${described} already exists`, { fields: columns });
        }
      }
      return new ConflictError(`a ${entity.table} row with the same unique values already exists`);
    }
    if (kind === 'foreign_key') {
      for (const column of entity.columns.filter((c) => c.references && values[c.name] != null)) {
        const target = column.references!.table;
        const found = await this.db
          .selectFrom(target)
          .select('id')
          .where('id', '=', values[column.name] as string)
          .executeTakeFirst();
        if (!found) {
          return new ConflictError(
            `${column.name} refers to ${target} ${String(values[column.name])}, which does not exist`,
            {
              fields: [column.name],
            },
          );
        }
      }
      return new ConflictError(`a referenced row of ${entity.table} does not exist`);
    }
    if (kind === 'not_null' || kind === 'check') {
      // Name the column from the rules themselves, so both backends give the same message.
      for (const column of entity.columns) {
        const value = values[column.name];
        let problem: string | undefined;
        if (kind === 'not_null' && value === null && !column.nullable) problem = 'must not be null';
        else if (typeof value === 'string' && column.maxLength !== undefined && [...value].length > column.maxLength)
          problem = `is longer than ${column.maxLength} characters`;
        else if (typeof value === 'string' && column.enum && !column.enum.includes(value))
          problem = `must be one of ${column.enum.join(', ')}`;
        if (problem)
          return new ValidationError(`invalid ${entity.table} row: ${column.name} ${problem}`, [
            { field: column.name, message: problem },
          ]);
      }
      return new ValidationError(`invalid ${entity.table} row`);
    }
    return error;
  }

  /** Which tables hold rows that refer to `table` row `id`. */
  private async referrers(table: string, id: string): Promise<string[]> {
    const found: string[] = [];
    for (const other of entities as readonly EntityDef[]) {
      for (const column of other.columns.filter(
        (c) => c.references?.table === table && c.references.onDelete === 'restrict',
      )) {
        const hit = await this.db.selectFrom(other.table).select('id').where(column.name, '=', id).executeTakeFirst();
        if (hit) found.push(`${other.table}.${column.name}`);
      }
    }
    return found;
  }
}

function uniqueSets(entity: EntityDef): string[][] {
  return [...entity.columns.filter((c) => c.unique).map((c) => [c.name]), ...(entity.uniques ?? []).map((u) => [...u])];
}

/** `lower(title) like '%text%'` with the text's own `%`, `_` and `!` taken literally (the same on SQLite and PostgreSQL). */
function titleContains(text: string) {
  const pattern = `%${text.toLowerCase().replace(/[!%_]/g, '!$&')}%`;
  return sql<boolean>`lower(${sql.ref('title')}) like ${pattern} escape '!'`;
}
