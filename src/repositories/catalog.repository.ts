import type { Kysely, Transaction } from 'kysely';
import type { AppDatabase } from '../db/connect.js';
import { entityByTable } from '../db/entities.js';
import { decodeRow, encodeRow } from '../db/row-codec.js';

export interface StoredDataset {
  id: string;
  name: string;
  description: string | null;
  updated_at: string;
}
export interface StoredTable {
  id: string;
  dataset_id: string;
  name: string;
  kind: 'table' | 'view';
  row_count: number | null;
  description: string | null;
}
export interface StoredColumn {
  id: string;
  table_id: string;
  name: string;
  data_type: string;
  is_nullable: boolean;
  ordinal: number;
  description: string | null;
}

/** The catalog rows of one database, as stored. */
export interface StoredCatalog {
  datasets: StoredDataset[];
  tables: StoredTable[];
  columns: StoredColumn[];
}

/** What one sync writes: ids to delete (children go by cascade), rows to insert or update by name. */
export interface CatalogWrites {
  deleteIds: { datasets: string[]; tables: string[]; columns: string[] };
  datasets: Omit<StoredDataset, 'description'>[];
  tables: Omit<StoredTable, 'description'>[];
  columns: Omit<StoredColumn, 'description'>[];
  /** When the sync ran: the new and changed rows' updated_at, and every dataset's (the sync mark). */
  now: string;
}

/** Rows per INSERT: 1,000 × 8 parameters stays under SQLite's 32,766 and PostgreSQL's 65,535. */
const CHUNK = 1_000;

const DATASETS = entityByTable('datasets');
const TABLES = entityByTable('tables');
const COLUMNS = entityByTable('columns');

/**
 * The catalog tables (datasets, tables, columns) of one database, read and written as sets:
 * a few statements whatever the size of the catalog, never one per column.
 */
export class CatalogRepository {
  constructor(private readonly app: AppDatabase) {}

  /** Everything stored for the database, in three queries. */
  async load(databaseId: string, db: Kysely<any> = this.app.db): Promise<StoredCatalog> {
    const datasets = await db
      .selectFrom('datasets')
      .select(['id', 'name', 'description', 'updated_at'])
      .where('database_id', '=', databaseId)
      .orderBy('name')
      .execute();
    const tables = await db
      .selectFrom('tables as t')
      .innerJoin('datasets as d', 'd.id', 't.dataset_id')
      .select(['t.id', 't.dataset_id', 't.name', 't.kind', 't.row_count', 't.description'])
      .where('d.database_id', '=', databaseId)
      .orderBy('t.name')
      .execute();
    const columns = await this.columnsQuery(db, databaseId).execute();
    return {
      datasets: datasets.map((r) => decodeRow(this.app.dialect, DATASETS, r) as unknown as StoredDataset),
      tables: tables.map((r) => decodeRow(this.app.dialect, TABLES, r) as unknown as StoredTable),
      columns: columns.map((r) => decodeRow(this.app.dialect, COLUMNS, r) as unknown as StoredColumn),
    };
  }

  /** Everything stored for the database in two queries (datasets with their tables, then columns). */
  async read(databaseId: string): Promise<StoredCatalog> {
    const rows = await this.app.db
      .selectFrom('datasets as d')
      .leftJoin('tables as t', 't.dataset_id', 'd.id')
      .select([
        'd.id as d_id',
        'd.name as d_name',
        'd.description as d_description',
        'd.updated_at as d_updated_at',
        't.id',
        't.dataset_id',
        't.name',
        't.kind',
        't.row_count',
        't.description',
      ])
      .where('d.database_id', '=', databaseId)
      .orderBy('d.name')
      .orderBy('t.name')
      .execute();
    const datasets = new Map<string, StoredDataset>();
    const tables: StoredTable[] = [];
    for (const row of rows) {
      if (!datasets.has(row.d_id)) {
        const dataset = {
          id: row.d_id,
          name: row.d_name,
          description: row.d_description,
          updated_at: row.d_updated_at,
        };
        datasets.set(row.d_id, decodeRow(this.app.dialect, DATASETS, dataset) as unknown as StoredDataset);
      }
      if (row.id !== null) tables.push(decodeRow(this.app.dialect, TABLES, row) as unknown as StoredTable);
    }
    const columns = await this.columnsQuery(this.app.db, databaseId).execute();
    return {
      datasets: [...datasets.values()],
      tables,
      columns: columns.map((r) => decodeRow(this.app.dialect, COLUMNS, r) as unknown as StoredColumn),
    };
  }

  /**
   * In ONE transaction: reads what is stored, asks `plan` what to write, and writes it, so no
   * reader ever sees half a sync and two syncs of a database cannot interleave their writes.
   */
  async replace<T>(
    databaseId: string,
    plan: (stored: StoredCatalog) => { writes: CatalogWrites; result: T },
  ): Promise<T> {
    return this.app.db.transaction().execute(async (trx) => {
      const { writes, result } = plan(await this.load(databaseId, trx));
      await this.write(trx, databaseId, writes);
      return result;
    });
  }

  private columnsQuery(db: Kysely<any>, databaseId: string) {
    return db
      .selectFrom('columns as c')
      .innerJoin('tables as t', 't.id', 'c.table_id')
      .innerJoin('datasets as d', 'd.id', 't.dataset_id')
      .select(['c.id', 'c.table_id', 'c.name', 'c.data_type', 'c.is_nullable', 'c.ordinal', 'c.description'])
      .where('d.database_id', '=', databaseId)
      .orderBy('c.table_id')
      .orderBy('c.ordinal');
  }

  private async write(trx: Transaction<any>, databaseId: string, writes: CatalogWrites): Promise<void> {
    for (const table of ['columns', 'tables', 'datasets'] as const)
      for (const ids of chunks(writes.deleteIds[table])) await trx.deleteFrom(table).where('id', 'in', ids).execute();
    const stamp = { created_at: writes.now, updated_at: writes.now };
    for (const rows of chunks(writes.datasets)) {
      const values = rows.map((r) =>
        encodeRow(this.app.dialect, DATASETS, { ...r, database_id: databaseId, ...stamp }),
      );
      await trx.insertInto('datasets').values(values).execute();
    }
    for (const rows of chunks(writes.tables)) {
      const values = rows.map((r) => encodeRow(this.app.dialect, TABLES, { ...r, ...stamp }));
      await trx
        .insertInto('tables')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['dataset_id', 'name']).doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            row_count: eb.ref('excluded.row_count'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
    for (const rows of chunks(writes.columns)) {
      const values = rows.map((r) => encodeRow(this.app.dialect, COLUMNS, { ...r, ...stamp }));
      await trx
        .insertInto('columns')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['table_id', 'name']).doUpdateSet((eb) => ({
            data_type: eb.ref('excluded.data_type'),
            is_nullable: eb.ref('excluded.is_nullable'),
            ordinal: eb.ref('excluded.ordinal'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
    // Every dataset carries the time of the last sync (what the schema document calls syncedAt).
    await trx
      .updateTable('datasets')
      .set(encodeRow(this.app.dialect, DATASETS, { updated_at: writes.now }))
      .where('database_id', '=', databaseId)
      .execute();
  }
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
