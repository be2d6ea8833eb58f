import { v7 as uuidv7 } from 'uuid';
import type { CatalogWrites, StoredCatalog } from '../../repositories/catalog.repository.js';
import type { CatalogSnapshot } from '../connectors/catalog-snapshot.js';

/** How many catalog objects (datasets, tables and columns together) a sync added, changed and removed. */
export interface CatalogChanges {
  added: number;
  updated: number;
  removed: number;
}

/**
 * What to write to make the stored catalog match `snapshot`, matching objects by name: a kept
 * object keeps its id (and so its description); a changed table or column is rewritten in
 * place; an object the engine no longer has is deleted, its children with it (by cascade).
 */
export function planCatalogWrites(
  stored: StoredCatalog,
  snapshot: CatalogSnapshot,
  now: string,
): { writes: CatalogWrites; changes: CatalogChanges } {
  const writes: CatalogWrites = {
    deleteIds: { datasets: [], tables: [], columns: [] },
    datasets: [],
    tables: [],
    columns: [],
    now,
  };
  const changes: CatalogChanges = { added: 0, updated: 0, removed: 0 };
  const datasetsByName = new Map(stored.datasets.map((d) => [d.name, d]));
  const tablesByKey = new Map(stored.tables.map((t) => [`${t.dataset_id}\0${t.name}`, t]));
  const columnsByKey = new Map(stored.columns.map((c) => [`${c.table_id}\0${c.name}`, c]));
  const keptTables = new Set<string>();
  const keptColumns = new Set<string>();
  const keptDatasets = new Set<string>();

  for (const dataset of snapshot.datasets) {
    const old = datasetsByName.get(dataset.name);
    const datasetId = old?.id ?? uuidv7();
    if (old) keptDatasets.add(old.id);
    else {
      writes.datasets.push({ id: datasetId, name: dataset.name, updated_at: now });
      changes.added++;
    }
    for (const table of dataset.tables) {
      const oldTable = old ? tablesByKey.get(`${datasetId}\0${table.name}`) : undefined;
      const tableId = oldTable?.id ?? uuidv7();
      const row = {
        id: tableId,
        dataset_id: datasetId,
        name: table.name,
        kind: table.kind,
        row_count: table.rowCount ?? null,
      };
      if (!oldTable) changes.added++;
      else keptTables.add(oldTable.id);
      const changed = oldTable !== undefined && (oldTable.kind !== row.kind || oldTable.row_count !== row.row_count);
      if (changed) changes.updated++;
      if (!oldTable || changed) writes.tables.push(row);
      for (const column of table.columns) {
        const oldColumn = oldTable ? columnsByKey.get(`${tableId}\0${column.name}`) : undefined;
        const columnRow = {
          id: oldColumn?.id ?? uuidv7(),
          table_id: tableId,
          name: column.name,
          data_type: column.dataType,
          is_nullable: column.isNullable,
          ordinal: column.ordinal,
        };
        if (!oldColumn) {
          changes.added++;
          writes.columns.push(columnRow);
          continue;
        }
        keptColumns.add(oldColumn.id);
        if (
          oldColumn.data_type !== columnRow.data_type ||
          oldColumn.is_nullable !== columnRow.is_nullable ||
          oldColumn.ordinal !== columnRow.ordinal
        ) {
          changes.updated++;
          writes.columns.push(columnRow);
        }
      }
    }
  }

  // Deleted parents take their children along (cascade): list only the topmost deleted object.
  const goneDatasets = new Set(stored.datasets.filter((d) => !keptDatasets.has(d.id)).map((d) => d.id));
  const goneTables = new Set(stored.tables.filter((t) => !keptTables.has(t.id)).map((t) => t.id));
  writes.deleteIds.datasets = [...goneDatasets];
  writes.deleteIds.tables = stored.tables
    .filter((t) => goneTables.has(t.id) && !goneDatasets.has(t.dataset_id))
    .map((t) => t.id);
  writes.deleteIds.columns = stored.columns
    .filter((c) => !keptColumns.has(c.id) && !goneTables.has(c.table_id))
    .map((c) => c.id);
  changes.removed = goneDatasets.size + goneTables.size + stored.columns.filter((c) => !keptColumns.has(c.id)).length;
  return { writes, changes };
}
