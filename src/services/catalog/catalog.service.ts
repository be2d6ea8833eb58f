import { nowTimestamp } from '../../db/timestamp.js';
import type { CatalogRepository } from '../../repositories/catalog.repository.js';
import type { EntityRepository, RowValues } from '../../repositories/entity.repository.js';
import type { ConnectorService } from '../connectors/connector.service.js';
import type { DatabaseKind } from '../connectors/database-config.js';
import { catalogErrors } from './catalog-errors.js';
import { planCatalogWrites } from './catalog-plan.js';
import { schemaDdl } from './schema-ddl.js';
import { DIALECTS, schemaDocument, type SchemaDocument } from './schema-document.js';

export interface SyncProgress {
  /** `reading` the engine's catalog, `writing` the application database, `done`. */
  phase: string;
  done: number;
  total?: number;
}

export interface SyncOptions {
  onProgress?: (p: SyncProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

/** What a sync found (datasets, tables, columns) and changed (objects of all three kinds). */
export interface SyncSummary {
  datasets: number;
  tables: number;
  columns: number;
  added: number;
  updated: number;
  removed: number;
  elapsedMs: number;
}

/** The catalog entities a user may describe. */
export type DescribedTable = 'datasets' | 'tables' | 'columns';

/**
 * A database's catalog (datasets, tables, columns): synced from the engine's own catalog, read
 * back as one nested document or as DDL, and described by users.
 */
export class CatalogService {
  constructor(
    private readonly repo: EntityRepository,
    private readonly catalog: CatalogRepository,
    private readonly connectors: ConnectorService,
  ) {}

  /**
   * Reads the engine's catalog and stores it in one transaction, matching objects by name: kept
   * ones keep their ids and descriptions, gone ones are deleted. A failed read or a cancel
   * leaves the stored catalog as it was.
   */
  async sync(databaseId: string, options: SyncOptions = {}): Promise<SyncSummary> {
    const started = performance.now();
    const row = await this.repo.get('databases', databaseId);
    const cancelled = () => {
      if (options.signal?.aborted) throw catalogErrors.cancelled(String(row.name));
    };
    cancelled();
    await options.onProgress?.({ phase: 'reading', done: 0 });
    const snapshot = await this.connectors.catalog(row, options.signal);
    cancelled();
    const tables = snapshot.datasets.reduce((n, d) => n + d.tables.length, 0);
    const columns = snapshot.datasets.reduce((n, d) => n + d.tables.reduce((m, t) => m + t.columns.length, 0), 0);
    await options.onProgress?.({ phase: 'writing', done: 0, total: tables });
    const changes = await this.catalog.replace(databaseId, (stored) => {
      const { writes, changes } = planCatalogWrites(stored, snapshot, nowTimestamp());
      return { writes, result: changes };
    });
    await options.onProgress?.({ phase: 'done', done: tables, total: tables });
    return {
      datasets: snapshot.datasets.length,
      tables,
      columns,
      ...changes,
      elapsedMs: Math.round(performance.now() - started),
    };
  }

  /** The stored catalog as one nested document (an empty datasets list before the first sync). */
  async schema(databaseId: string): Promise<SchemaDocument> {
    const row = await this.repo.get('databases', databaseId);
    const kind = row.kind as DatabaseKind;
    const database = { id: String(row.id), name: String(row.name), kind, dialect: DIALECTS[kind] };
    return schemaDocument(database, await this.catalog.read(databaseId));
  }

  /** The stored catalog as CREATE TABLE / CREATE VIEW text in the database's dialect. */
  async ddl(databaseId: string): Promise<string> {
    return schemaDdl(await this.schema(databaseId));
  }

  /** Sets (or, with null, clears) the description of a dataset, table or column. */
  async describe(table: DescribedTable, id: string, description: string | null): Promise<RowValues> {
    return this.repo.update(table, id, { description });
  }
}
