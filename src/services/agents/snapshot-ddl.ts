import type { CatalogSnapshot } from '../connectors/catalog-snapshot.js';
import type { DatabaseKind } from '../connectors/database-config.js';
import { DIALECTS, type SchemaDocument } from '../catalog/schema-document.js';
import { schemaDdl } from '../catalog/schema-ddl.js';

/** A catalog read just now from the engine (folder mode has no stored catalog) as DDL text. */
export function snapshotDdl(name: string, kind: DatabaseKind, snapshot: CatalogSnapshot): string {
  const doc: SchemaDocument = {
    database: { id: '', name, kind, dialect: DIALECTS[kind] },
    syncedAt: new Date().toISOString(),
    datasets: snapshot.datasets.map((dataset) => ({
      id: '',
      name: dataset.name,
      description: null,
      tables: dataset.tables.map((table) => ({
        id: '',
        name: table.name,
        kind: table.kind,
        rowCount: table.rowCount ?? null,
        description: null,
        columns: table.columns.map((column) => ({
          id: '',
          name: column.name,
          type: column.dataType,
          nullable: column.isNullable,
          ordinal: column.ordinal,
          description: null,
        })),
      })),
    })),
  };
  return schemaDdl(doc);
}
