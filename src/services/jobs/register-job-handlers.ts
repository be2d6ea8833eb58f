import { CATALOG_SYNC, catalogSyncHandler, type CatalogSyncer } from './catalog-sync.job.js';
import { JobHandlerRegistry } from './job-handlers.js';
import { WORKFLOW_RUN, workflowRunHandler, type RunExecutor } from './workflow-run.job.js';

/** The services job handlers run on; a missing one leaves its kinds unregistered. */
export interface JobHandlerServices {
  catalog?: CatalogSyncer | undefined;
  runs?: RunExecutor | undefined;
}

/** THE place every job kind is registered: a new kind is one module plus one line here. */
export function registerJobHandlers(services: JobHandlerServices): JobHandlerRegistry {
  const registry = new JobHandlerRegistry();
  if (services.catalog) registry.register(CATALOG_SYNC, catalogSyncHandler(services.catalog));
  if (services.runs) registry.register(WORKFLOW_RUN, workflowRunHandler(services.runs));
  return registry;
}
