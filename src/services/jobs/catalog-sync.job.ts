import type { EntityRepository } from '../../repositories/entity.repository.js';
import type { JobHandler } from './job-handlers.js';
import type { Job, JobQueue } from './job-queue.js';

export const CATALOG_SYNC = 'catalog.sync';

export interface CatalogSyncProgress {
  phase: string;
  done: number;
  total?: number;
}

/** The part of the catalog service a sync job needs (services.catalog, wired at start-up). */
export interface CatalogSyncer {
  sync(
    databaseId: string,
    options?: { onProgress?: (p: CatalogSyncProgress) => void | Promise<void>; signal?: AbortSignal },
  ): Promise<unknown>;
}

/** Runs `catalog.sync` jobs: reads the database's catalog, reporting each phase as the job's progress. */
export function catalogSyncHandler(catalog: CatalogSyncer): JobHandler {
  return async (_job, ctx) => {
    const databaseId = ctx.payload.databaseId;
    if (typeof databaseId !== 'string') throw new Error('catalog.sync needs payload.databaseId');
    return catalog.sync(databaseId, { onProgress: (p) => ctx.progress(p), signal: ctx.signal });
  };
}

/** Enqueues a catalog sync of one database, in the database's project. */
export class CatalogSyncJobs {
  constructor(
    private readonly queue: JobQueue,
    private readonly repo: EntityRepository,
  ) {}

  async enqueue(databaseId: string): Promise<Job> {
    const database = await this.repo.get('databases', databaseId);
    return this.queue.enqueue({
      kind: CATALOG_SYNC,
      payload: { databaseId },
      projectId: String(database.project_id),
    });
  }
}
