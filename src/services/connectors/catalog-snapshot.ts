import type { Cell } from './connector.js';

/** One column of a table or view, as the engine's catalog describes it. */
export interface CatalogColumn {
  name: string;
  /** The engine's own type name (e.g. `character varying(20)`, `int(11)`, `VARCHAR`). */
  dataType: string;
  isNullable: boolean;
  /** 1-based position in the table. */
  ordinal: number;
}

export interface CatalogTable {
  name: string;
  kind: 'table' | 'view';
  /** The engine's row estimate, where it keeps one. */
  rowCount?: number;
  columns: CatalogColumn[];
}

/** A schema (PostgreSQL, DuckDB), a database (MySQL), or `main` (SQLite). */
export interface CatalogDataset {
  name: string;
  tables: CatalogTable[];
}

/** What a user database holds, read from its own catalog in one statement. */
export interface CatalogSnapshot {
  datasets: CatalogDataset[];
}

export interface CatalogOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The most catalog rows (one per column) a read accepts: 250,000 columns. */
export const CATALOG_ROW_LIMIT = 250_000;

/**
 * Rows of a catalog query, one per column, each `[dataset, table, kind, rowCount, column, type,
 * nullable, ordinal]` ordered by dataset, table and ordinal (the column cells are null for a
 * relation without columns), folded into the nested snapshot.
 */
export function snapshotFromRows(rows: readonly Cell[][]): CatalogSnapshot {
  const datasets: CatalogDataset[] = [];
  let dataset: CatalogDataset | undefined;
  let table: CatalogTable | undefined;
  for (const [schema, name, kind, rowCount, column, type, nullable, ordinal] of rows) {
    if (dataset?.name !== String(schema)) {
      dataset = { name: String(schema), tables: [] };
      datasets.push(dataset);
      table = undefined;
    }
    if (table?.name !== String(name)) {
      table = { name: String(name), kind: kind === 'view' ? 'view' : 'table', columns: [] };
      const estimate = rowCount === null || rowCount === undefined ? undefined : Number(rowCount);
      if (estimate !== undefined && Number.isFinite(estimate) && estimate >= 0) table.rowCount = Math.round(estimate);
      dataset.tables.push(table);
    }
    if (column === null || column === undefined) continue;
    table.columns.push({
      name: String(column),
      dataType: String(type ?? ''),
      isNullable: truthy(nullable),
      ordinal: Number(ordinal),
    });
  }
  return { datasets };
}

function truthy(value: Cell | undefined): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'YES';
}
