import type { Kysely } from 'kysely';
import type { StorageDialect } from '../dialect/storage-dialect.js';
import * as initial from './0001-initial.js';
import * as workspaceMembers from './0002-workspace-members.js';
import * as sessions from './0003-sessions.js';
import * as jobQueue from './0004-job-queue.js';
import * as workflowRuns from './0005-workflow-runs.js';
import * as threadTurns from './0006-thread-turns.js';

export interface OxyMigration {
  readonly name: string;
  up(db: Kysely<any>, dialect: StorageDialect): Promise<void>;
}

/** Every schema migration, oldest first. The schema version is the count applied. */
export const MIGRATIONS: readonly OxyMigration[] = [
  { name: '0001_initial', up: initial.up },
  { name: '0002_workspace_members', up: workspaceMembers.up },
  { name: '0003_sessions', up: sessions.up },
  { name: '0004_job_queue', up: jobQueue.up },
  { name: '0005_workflow_runs', up: workflowRuns.up },
  { name: '0006_thread_turns', up: threadTurns.up },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
