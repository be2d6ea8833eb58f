import { appWorkflowAgents } from './agents/workflow-agents.js';
import path from 'node:path';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import type { AppDatabase } from '../db/connect.js';
import { EntityRepository } from '../repositories/entity.repository.js';
import { MembershipRepository } from '../repositories/membership.repository.js';
import { ApiKeyService } from './api-key.service.js';
import { type ChartDataSource } from './charts/chart-data-source.js';
import { ChartService } from './charts/chart.service.js';
import { ConnectorChartData } from './charts/connector-chart-data.js';
import { ConnectorService } from './connectors/connector.service.js';
import { CatalogService } from './catalog/catalog.service.js';
import { CatalogRepository } from '../repositories/catalog.repository.js';
import { JobRepository } from '../repositories/job.repository.js';
import { CatalogSyncJobs } from './jobs/catalog-sync.job.js';
import { runJobs } from './jobs/workflow-run.job.js';
import { RunService } from './workflows/run.service.js';
import { RunRepository } from '../repositories/run.repository.js';
import { ThreadRepository } from '../repositories/thread.repository.js';
import type { RetryOptions } from './agents/models/retry-policy.js';
import { AgentCoreRunner } from './threads/agent-core-runner.js';
import { ModelTitles } from './threads/thread-agent.js';
import { ThreadService } from './threads/thread.service.js';
import type { JobHandlerRegistry } from './jobs/job-handlers.js';
import { JobQueue, type JobQueueOptions } from './jobs/job-queue.js';
import { StatusService } from './status.service.js';
import { registerJobHandlers } from './jobs/register-job-handlers.js';
import { SessionRepository } from '../repositories/session.repository.js';
import { AuthService } from './auth.service.js';
import { KEY_FILE_NAME, loadEncryptionKey, type EncryptionKey } from './encryption-key.js';
import { EntityService } from './entity.service.js';
import { PermissionService } from './permission.service.js';
import { SecretsService } from './secrets.service.js';
import { UserService } from './user.service.js';
import { WorkspaceService } from './workspace.service.js';

/** Everything the HTTP layer and the CLI call into, built once per process. */
export interface AppServices {
  readonly config: Config;
  readonly database: AppDatabase;
  readonly repo: EntityRepository;
  readonly entities: EntityService;
  readonly secrets: SecretsService;
  readonly auth: AuthService;
  readonly encryptionKey: EncryptionKey;
  readonly permissions: PermissionService;
  readonly workspaces: WorkspaceService;
  readonly users: UserService;
  readonly apiKeys: ApiKeyService;
  readonly charts: ChartService;
  readonly connectors: ConnectorService;
  readonly catalog: CatalogService;
  /** The job queue (catalog syncs now; workflow runs and agent turns later). */
  readonly jobs: JobQueue;
  /** The handler of each job kind this process can run (what its workers claim). */
  readonly jobHandlers: JobHandlerRegistry;
  readonly catalogSync: CatalogSyncJobs;
  /** Workflow runs: started, executed by workers, cancelled, retried, their events streamed. */
  readonly runs: RunService;
  /** Threads answering questions: turns streamed, stored, stopped, released when their server died. */
  readonly threads: ThreadService;
  /** The instance's state for its admins (schema, job queue, workers). */
  readonly status: StatusService;
}

export interface AppServicesOptions {
  readonly?: boolean;
  /** Where charts get their rows: the connectors (read-only, capped) unless a test says otherwise. */
  chartData?: ChartDataSource;
  /** Backoff and clock of the job queue (tests shorten the backoff). */
  jobs?: JobQueueOptions;
  /** Turn lease and model retries of threads (tests shorten them). */
  threads?: { leaseMs?: number; retry?: Partial<RetryOptions> };
}

/**
 * Wires the services on an open, migrated database and proves the encryption key opens the
 * stored secrets (a wrong key is an error at start-up, not garbage later). `readonly` creates no
 * key file: without one, only a database holding no sealed secret can be served.
 */
export async function createAppServices(
  config: Config,
  database: AppDatabase,
  options: AppServicesOptions = {},
): Promise<AppServices> {
  const encryptionKey = loadEncryptionKey(config.stateDir, config.encryptionKeyBase64, { create: !options.readonly });
  const repo = new EntityRepository(database);
  const secrets = new SecretsService(repo, encryptionKey);
  await secrets.verifyKey().catch((error: unknown) => {
    if (encryptionKey.source !== 'ephemeral') throw error;
    throw new ConfigError(
      `the stored secrets need the encryption key, and ${path.join(config.stateDir, KEY_FILE_NAME)} does not exist (--readonly creates no files)`,
      'set OXY_ENCRYPTION_KEY, or point OXY_STATE_DIR at the folder that holds encryption_key.txt',
    );
  });
  const sessions = new SessionRepository(database);
  const auth = new AuthService(repo, sessions);
  const membership = new MembershipRepository(database);
  const workspaces = new WorkspaceService(repo, membership);
  // password_var names an environment variable of the process oxy runs in (Oxy's convention).
  const connectors = new ConnectorService(repo, secrets, config.environment);
  const entities = new EntityService(
    repo,
    { workspaces: (values, actorId) => workspaces.create(values, actorId) },
    { databases: (id) => connectors.forget(id) },
  );
  const jobs = new JobQueue(new JobRepository(database), options.jobs);
  const catalog = new CatalogService(repo, new CatalogRepository(database), connectors);
  const runs = new RunService(repo, new RunRepository(database, repo), connectors, runJobs(jobs));
  const jobHandlers = registerJobHandlers({ catalog, runs });
  const retry = options.threads?.retry ? { retry: options.threads.retry } : {};
  const titles = new ModelTitles(repo, secrets, config.environment, retry);
  const threads = new ThreadService(
    repo,
    new ThreadRepository(database),
    // The agent core needs every service (databases, catalog, charts, workflows): given once built.
    new AgentCoreRunner(
      () => services,
      retry,
      (agentId, question, signal) => titles.title(agentId, question, signal),
      Boolean(options.readonly),
    ),
    { readonly: Boolean(options.readonly), ...(options.threads?.leaseMs ? { leaseMs: options.threads.leaseMs } : {}) },
  );
  const services: AppServices = {
    config,
    database,
    repo,
    entities,
    secrets,
    auth,
    encryptionKey,
    permissions: new PermissionService(membership),
    workspaces,
    users: new UserService(repo, auth, sessions),
    apiKeys: new ApiKeyService(repo),
    charts: new ChartService(repo, options.chartData ?? new ConnectorChartData(connectors)),
    connectors,
    catalog,
    jobs,
    jobHandlers,
    catalogSync: new CatalogSyncJobs(jobs, repo),
    runs,
    threads,
    status: new StatusService(database, jobs),
  };
  // Workflow `agent` tasks reach the project's agents, which need the services themselves.
  runs.useAgents((projectId) => appWorkflowAgents(services, projectId));
  return services;
}
