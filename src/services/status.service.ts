import type { AppDatabase } from '../db/connect.js';
import { schemaStatus } from '../db/migrator.js';
import { VERSION } from '../version.js';
import type { JobQueue, QueueDepth } from './jobs/job-queue.js';

/** The state of an oxy instance, for its admins: versions, the schema's migrations, the job queue and workers. */
export interface InstanceStatus {
  version: string;
  database: {
    backend: 'sqlite' | 'postgres';
    /** Applied migrations this binary knows. */
    schemaVersion: number;
    latestSchemaVersion: number;
    /** Known migrations not applied yet (a newer binary than the database). */
    pendingMigrations: string[];
    /** Applied migrations this binary does not know (an older binary than the database). */
    unknownMigrations: string[];
  };
  jobs: QueueDepth;
}

/** Reads the instance's state; changes nothing. */
export class StatusService {
  constructor(
    private readonly database: AppDatabase,
    private readonly jobs: JobQueue,
  ) {}

  async status(): Promise<InstanceStatus> {
    const schema = await schemaStatus(this.database.db);
    return {
      version: VERSION,
      database: {
        backend: this.database.dialect.backend,
        schemaVersion: schema.version,
        latestSchemaVersion: schema.latest,
        pendingMigrations: schema.pending,
        unknownMigrations: schema.unknown,
      },
      jobs: await this.jobs.depth(),
    };
  }
}
