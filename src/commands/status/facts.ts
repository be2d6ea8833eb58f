import fs from 'node:fs';
import { containerCli, loadConfig, localPostgresPort } from '../../config.js';
import { containerErrors } from '../../container/container-errors.js';
import { DockerRuntime } from '../../container/docker-runtime.js';
import { EmbeddedRuntime } from '../../container/embedded-runtime.js';
import { LOCAL_POSTGRES, localPostgresUrl } from '../../container/postgres-container.js';
import { connectDatabase } from '../../db/connect.js';
import { schemaStatus } from '../../db/migrator.js';
import { parseDatabaseUrl, type DatabaseTarget } from '../../db/url.js';
import { OxyError } from '../../errors.js';
import { JobRepository } from '../../repositories/job.repository.js';
import { JobQueue } from '../../services/jobs/job-queue.js';

export type DatabaseFacts = {
  backend: 'sqlite' | 'postgres';
  url: string;
  reachable: boolean;
  error?: string;
  file?: { path: string; exists: boolean; sizeBytes?: number };
  serverVersion?: string;
  schemaVersion?: number;
  latestSchemaVersion?: number;
  pendingMigrations?: string[];
  /** The job queue, when the schema is current: jobs waiting, running, failed, and workers holding leases. */
  jobs?: { queued: number; running: number; failed: number; workers: number };
};

export type ContainerRuntimeFacts = {
  cli: string;
  found: boolean;
  daemonRunning: boolean;
  serverVersion?: string;
  error?: string;
  hint?: string;
};
export type ContainerFacts = {
  name: string;
  status: 'running' | 'stopped' | 'not created' | 'unknown';
  image: string;
  port: number;
  volume: string;
  volumeExists?: boolean;
};
export type EmbeddedFacts = { dataDir: string; present: boolean; running: boolean; port: number };

export interface StatusReport {
  /** The database oxy serve uses: OXY_DATABASE_URL, else the SQLite default. */
  database: DatabaseFacts;
  /** The PostgreSQL oxy start runs (container or embedded), when one is running and not the configured one. */
  localPostgres?: DatabaseFacts;
  containerRuntime: ContainerRuntimeFacts;
  container: ContainerFacts;
  embedded: EmbeddedFacts;
  commands: string[];
}

/** Gathers every fact `oxy status` shows (all but the advice in `commands`); touches nothing. */
export async function collectFacts(
  env: NodeJS.ProcessEnv,
): Promise<{ report: StatusReport; databaseFromEnv: boolean }> {
  const config = loadConfig(env);
  const port = localPostgresPort(env);
  const { containerRuntime, container } = await containerFacts(
    new DockerRuntime(containerCli(env), port, () => undefined),
  );
  const embedded = await embeddedFacts(config.stateDir, port);
  const database = await databaseFacts(config.database);
  // The running container answers on the port it was created with, whatever is configured now.
  const localUrl = localPostgresUrl(container.status === 'running' ? container.port : embedded.port);
  const localRunning = container.status === 'running' || embedded.running;
  const localPostgres =
    localRunning && !config.databaseFromEnv ? await databaseFacts(parseDatabaseUrl(localUrl, 'oxy start')) : undefined;
  const report: StatusReport = {
    database,
    ...(localPostgres ? { localPostgres } : {}),
    containerRuntime,
    container,
    embedded,
    commands: [],
  };
  return { report, databaseFromEnv: config.databaseFromEnv };
}

/** The container CLI, its daemon, and oxy-postgres as the daemon knows it. */
async function containerFacts(
  docker: DockerRuntime,
): Promise<{ containerRuntime: ContainerRuntimeFacts; container: ContainerFacts }> {
  const runtime: ContainerRuntimeFacts = { cli: docker.cli, found: true, daemonRunning: false };
  const container: ContainerFacts = {
    name: LOCAL_POSTGRES.container,
    status: 'unknown',
    image: LOCAL_POSTGRES.image,
    port: docker.port,
    volume: LOCAL_POSTGRES.volume,
  };
  try {
    runtime.serverVersion = await docker.check();
    runtime.daemonRunning = true;
    const state = await docker.state();
    container.status = state.status;
    if (state.image) container.image = state.image;
    // The port it was created with, which may not be the one configured now.
    if (state.publishedPort !== undefined) container.port = state.publishedPort;
    container.volumeExists = await docker.volumeExists();
  } catch (error) {
    runtime.found = !containerErrors.dockerMissing.is(error);
    runtime.error = (error as Error).message;
    if (error instanceof OxyError && error.hint) runtime.hint = error.hint;
  }
  return { containerRuntime: runtime, container };
}

async function embeddedFacts(stateDir: string, port: number): Promise<EmbeddedFacts> {
  const state = await new EmbeddedRuntime(stateDir, port, () => undefined).state();
  return { dataDir: state.dataDir, present: state.present, running: state.running, port: state.port ?? port };
}

/** Whether a database answers, and its server and schema versions; read-only: creates and migrates nothing. */
async function databaseFacts(target: DatabaseTarget): Promise<DatabaseFacts> {
  const facts: DatabaseFacts = { backend: target.backend, url: target.display, reachable: false };
  if (target.backend === 'sqlite') {
    const exists = fs.existsSync(target.path);
    facts.file = { path: target.path, exists, ...(exists ? { sizeBytes: fs.statSync(target.path).size } : {}) };
    if (!exists) {
      facts.error = 'the SQLite file does not exist yet (oxy serve or oxy migrate creates it)';
      return facts;
    }
  }
  try {
    const db = await connectDatabase(target, { readonly: true, poolSize: 1 });
    try {
      const schema = await schemaStatus(db.db);
      Object.assign(facts, {
        reachable: true,
        serverVersion: await db.dialect.serverVersion(db.db),
        schemaVersion: schema.version,
        latestSchemaVersion: schema.latest,
        pendingMigrations: schema.pending,
      });
      if (schema.pending.length === 0 && schema.unknown.length === 0) {
        const depth = await new JobQueue(new JobRepository(db)).depth();
        const sum = (key: 'queued' | 'running' | 'failed') => depth.kinds.reduce((n, k) => n + k[key], 0);
        facts.jobs = {
          queued: sum('queued'),
          running: sum('running'),
          failed: sum('failed'),
          workers: depth.workers.length,
        };
      }
    } finally {
      await db.close();
    }
  } catch (error) {
    facts.error = error instanceof Error ? error.message : String(error);
  }
  return facts;
}

/**
 * True when the database oxy uses answers: the configured one, or, with no OXY_DATABASE_URL, the
 * local PostgreSQL while `oxy start` runs it.
 */
export function databaseAnswers(r: StatusReport): boolean {
  return r.database.reachable || r.localPostgres?.reachable === true;
}
