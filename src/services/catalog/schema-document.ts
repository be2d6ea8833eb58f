import type { StoredCatalog } from '../../repositories/catalog.repository.js';
import type { DatabaseKind } from '../connectors/database-config.js';

export interface SchemaColumn {
  id: string;
  name: string;
  type: string;
  nullable: boolean;
  ordinal: number;
  description: string | null;
}
export interface SchemaTable {
  id: string;
  name: string;
  kind: 'table' | 'view';
  rowCount: number | null;
  description: string | null;
  columns: SchemaColumn[];
}
export interface SchemaDataset {
  id: string;
  name: string;
  description: string | null;
  tables: SchemaTable[];
}

/** A database's stored catalog as one nested document: what agents and the UI read. */
export interface SchemaDocument {
  database: { id: string; name: string; kind: DatabaseKind; dialect: string };
  /** When the catalog was last synced; null for a database never synced. */
  syncedAt: string | null;
  datasets: SchemaDataset[];
}

/** The SQL dialect each kind of database speaks. */
export const DIALECTS: Record<DatabaseKind, string> = {
  postgres: 'postgresql',
  mysql: 'mysql',
  duckdb: 'duckdb',
  sqlite: 'sqlite',
};

/** Nests stored rows: datasets by name, tables by name, columns by ordinal. */
export function schemaDocument(database: SchemaDocument['database'], stored: StoredCatalog): SchemaDocument {
  const columnsByTable = new Map<string, SchemaColumn[]>();
  for (const c of stored.columns) {
    const list = columnsByTable.get(c.table_id) ?? [];
    list.push({
      id: c.id,
      name: c.name,
      type: c.data_type,
      nullable: c.is_nullable,
      ordinal: c.ordinal,
      description: c.description,
    });
    columnsByTable.set(c.table_id, list);
  }
  const tablesByDataset = new Map<string, SchemaTable[]>();
  for (const t of stored.tables) {
    const list = tablesByDataset.get(t.dataset_id) ?? [];
    const columns = (columnsByTable.get(t.id) ?? []).sort((a, b) => a.ordinal - b.ordinal);
    list.push({ id: t.id, name: t.name, kind: t.kind, rowCount: t.row_count, description: t.description, columns });
    tablesByDataset.set(t.dataset_id, list);
  }
  const syncedAt = stored.datasets.reduce<string | null>(
    (latest, d) => (latest === null || d.updated_at > latest ? d.updated_at : latest),
    null,
  );
  return {
    database,
    syncedAt,
    datasets: stored.datasets.map((d) => ({
      id: d.id,
      name: d.name,
      description: d.description,
      tables: tablesByDataset.get(d.id) ?? [],
    })),
  };
}
