import { agentTask } from './agent.task.js';
import { conditionalTask } from './conditional.task.js';
import { executeSqlTask } from './execute-sql.task.js';
import { formatterTask } from './formatter.task.js';
import { loopSequentialTask } from './loop-sequential.task.js';
import type { TaskType } from './task-type.js';
import { visualizeTask } from './visualize.task.js';
import { workflowTask } from './workflow.task.js';

/** Every task type oxy knows, by Oxy's `type:` name. A new type is one module added here. */
export const TASK_TYPES: ReadonlyMap<string, TaskType> = new Map(
  [executeSqlTask, formatterTask, loopSequentialTask, conditionalTask, workflowTask, agentTask, visualizeTask].map(
    (t) => [t.type, t],
  ),
);

/** Oxy task types oxy reads but cannot run (they need Oxy's cloud integrations). */
export const UNSUPPORTED_OXY_TYPES = ['semantic_query', 'omni_query', 'looker_query', 'http_request', 'airway'];
