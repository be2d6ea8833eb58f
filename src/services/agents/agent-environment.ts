import type { ChartSpec } from '../charts/chart-spec.js';
import type { QueryResult } from '../connectors/connector.js';
import type { KeySource } from './models/key-source.js';

/**
 * What an agent reaches outside the model, the same in both modes: folder mode (config.yml's
 * databases through the connector path, the folder's workflows) and app mode (the project's
 * databases, catalog, charts and runs). SQL only through the read-only, capped, timed-out path.
 */
export interface AgentEnvironment {
  readonly keys: KeySource;
  /** Runs one read-only statement on a database by name; `limit` caps the rows. */
  runSql(database: string, sql: string, limit: number, signal: AbortSignal): Promise<QueryResult>;
  /** The database's catalog as DDL text, for the prompt. */
  ddl(database: string, signal: AbortSignal): Promise<string>;
  /** The text of the files a context entry's globs name. */
  contextFiles(globs: readonly string[]): Promise<string>;
  /** Keeps a chart the agent made (app mode: a `charts` row linked to the thread); its id, if stored. */
  saveChart?(chart: { title: string; spec: ChartSpec; threadId?: string }): Promise<string | undefined>;
  /** Runs a workflow by its ref with variables; the last task's output summary. */
  runWorkflow(ref: string, variables: Record<string, unknown>, signal: AbortSignal): Promise<string>;
  close(): Promise<void>;
}
