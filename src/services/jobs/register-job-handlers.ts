import { CATALOG_SYNC, catalogSyncHandler, type CatalogSyncer } from './catalog-sync.job.js';
import { JobHandlerRegistry } from './job-handlers.js';

/** The services job handlers run on; a missing one leaves its kinds unregistered. */
export interface JobHandlerServices {
  catalog?: CatalogSyncer | undefined;
}

/** THE place every job kind is registered: a new kind is one module plus one line here. */
export function registerJobHandlers(services: JobHandlerServices): JobHandlerRegistry {
  const registry = new JobHandlerRegistry();
  if (services.catalog) registry.register(CATALOG_SYNC, catalogSyncHandler(services.catalog));
  return registry;
}
