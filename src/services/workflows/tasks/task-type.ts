import type { TSchema } from '@sinclair/typebox';
import type { TaskContext } from '../run-context.js';
import type { TaskOutput } from '../task-output.js';

/** A path inside a definition: mapping keys and sequence indexes (`['tasks', 2, 'sql_query']`). */
export type DefinitionPath = readonly (string | number)[];

/** One problem of a definition, where it is; line and column (1-based) are added by the checker. */
export interface DefinitionProblem {
  path: DefinitionPath;
  message: string;
  line?: number;
  column?: number;
  /** Where the problem is when it is not in the definition itself (a `sql_file`, a nested workflow). */
  file?: string;
}

/**
 * One kind of workflow task (Oxy's `type:`). Adding a task type is one module like this, listed in
 * tasks/index.ts: its fields (beside the common `name`, `type`, `cache`, `export`), where it nests
 * tasks, which of its fields are Jinja templates, and any rule a schema cannot say.
 */
export interface TaskType {
  readonly type: string;
  /** This type's own fields, as TypeBox schemas; a field listed in `required` must be present. */
  readonly fields: Readonly<Record<string, TSchema>>;
  readonly required: readonly string[];
  /** Fields holding lists of nested tasks (validated as tasks themselves). */
  readonly nested?: (task: Readonly<Record<string, unknown>>) => { path: DefinitionPath; tasks: unknown }[];
  /** Paths (relative to the task) of text fields that are Jinja templates. */
  readonly templates?: (task: Readonly<Record<string, unknown>>) => DefinitionPath[];
  /** Rules beyond the schema (exactly one of two fields...), paths relative to the task. */
  readonly check?: (task: Readonly<Record<string, unknown>>) => DefinitionProblem[];
  /** Runs a task of this type (already checked against `fields`). */
  readonly run: (task: Readonly<Record<string, unknown>>, context: TaskContext) => Promise<TaskOutput>;
}
