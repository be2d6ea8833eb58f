import type { QueryResult } from '../connectors/connector.js';
import type { TaskOutput } from './task-output.js';

/** How a workflow reaches user data: the read-only, capped, timed-out path, by the database's name. */
export interface WorkflowDatabases {
  run(database: string, sql: string, options: { limit?: number; signal?: AbortSignal }): Promise<QueryResult>;
}

/** The files a workflow reads and writes: its project folder when it has one. */
export interface WorkflowFiles {
  /** The text of a file named relative to the project folder (`sql_file`, a nested workflow's `src`). */
  readText(relativePath: string): Promise<string>;
  /** Writes an export (`export.path`); returns where it went, for the step's output. */
  writeExport(relativePath: string, content: string): Promise<string>;
  /** A cached output (`cache.path`), or undefined when there is none yet. */
  readCache(relativePath: string): Promise<TaskOutput | undefined>;
  writeCache(relativePath: string, output: TaskOutput): Promise<void>;
}

/** How a workflow asks an agent (the `agent` task): the answer's text. Absent where no agent can run. */
export interface WorkflowAgents {
  ask(agentRef: string, prompt: string, signal: AbortSignal): Promise<string>;
}

/** What the runner tells its caller as a run goes: the CLI prints it, the run service records it. */
export type RunEvent =
  | { type: 'step_started'; path: string; name: string; taskType: string; input?: string }
  | {
      type: 'step_finished';
      path: string;
      name: string;
      taskType: string;
      status: 'succeeded' | 'failed' | 'reused' | 'cancelled';
      /** The rendered statement an execute_sql task ran. */
      input?: string;
      output?: TaskOutput;
      error?: string;
      durationMs: number;
    };

/** Everything a task's `run` may use: rendering in its scope, nested tasks, data, files. */
export interface TaskContext {
  /** The step path of this task (`per_store[2].line`): unique in a run, the key a retry replays by. */
  readonly path: string;
  readonly signal: AbortSignal;
  readonly databases: WorkflowDatabases;
  readonly files: WorkflowFiles;
  /** The agents an `agent` task asks, when the caller provides them. */
  readonly agents?: WorkflowAgents;
  /** The output of an earlier task of the same scope, by name (a `visualize` task's `data`). */
  output(name: string): TaskOutput | undefined;
  /** Renders a template with the variables, the outputs so far and the loop values in scope. */
  render(template: string, extra?: Record<string, unknown>): string;
  /** Evaluates a template that should yield a list (a loop's `values`): `{{ stores.name }}` keeps its items. */
  renderList(template: string): unknown[];
  /** Runs nested tasks in a child scope (a loop iteration, a branch); their outputs by name. */
  runTasks(tasks: unknown[], childPath: string, values?: Record<string, unknown>): Promise<Record<string, TaskOutput>>;
  /** Runs another workflow file with variables; its outputs by task name. */
  runWorkflow(src: string, variables: Record<string, unknown>): Promise<Record<string, TaskOutput>>;
  /** Tells the caller the statement about to run (rendered), recorded as the step's input. */
  reportInput(input: string): void;
}
