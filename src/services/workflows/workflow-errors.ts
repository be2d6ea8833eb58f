import { defineError } from '../../errors.js';

/** Errors of running a workflow; each names the task or variable and the fix. */
export const workflowErrors = {
  invalid: defineError(
    'workflow_invalid',
    (where: string, first: string, count: number) => ({
      message: `${where} is not a valid workflow: ${first}${count > 1 ? ` (and ${count - 1} more problem${count > 2 ? 's' : ''})` : ''}`,
      hint: 'run `oxy validate` on it to see every problem',
    }),
    { status: 400, exitCode: 1 },
  ),
  variable: defineError(
    'workflow_variable',
    (name: string, problem: string) => ({
      message: `variable ${name} ${problem}`,
      hint: "give it as -v name=value (typed by the workflow's variables schema)",
    }),
    { status: 400, exitCode: 2 },
  ),
  unknownVariable: defineError(
    'workflow_unknown_variable',
    (name: string, declared: string[]) => ({
      message: `the workflow has no variable ${name}`,
      hint: declared.length > 0 ? `it declares: ${declared.join(', ')}` : 'it declares no variables',
    }),
    { status: 400, exitCode: 2 },
  ),
  taskFailed: defineError(
    'workflow_task_failed',
    (path: string, reason: string) => ({
      message: `task ${path} failed: ${reason}`,
      hint: 'fix the task and run again',
    }),
    { status: 400, exitCode: 1 },
  ),
  cycle: defineError(
    'workflow_cycle',
    (chain: string[]) => ({
      message: `workflow includes itself: ${chain.join(' → ')}`,
      hint: 'a nested workflow (type: workflow) must not lead back to a workflow that runs it',
    }),
    { status: 400, exitCode: 1 },
  ),
  notAList: defineError(
    'workflow_values_not_a_list',
    (path: string, got: string) => ({
      message: `loop ${path}: values must be a list, the template gave ${got}`,
      hint: 'give a YAML list, or a template yielding one such as "{{ result.column }}"',
    }),
    { status: 400, exitCode: 1 },
  ),
  chartData: defineError(
    'workflow_chart_data',
    (name: string, problem: string) => ({
      message: `task ${name}: ${problem}`,
      hint: '`data` names an earlier execute_sql task of the same level; x, y and series name its columns',
    }),
    { status: 400, exitCode: 1 },
  ),
  taskTypeNotRunnable: defineError(
    'workflow_task_not_runnable',
    (type: string, name: string) => ({
      message: `task ${name}: ${type} tasks cannot run here: no agents are reachable`,
      hint: 'run the workflow with `oxy run` in its project folder, or on the server',
    }),
    { status: 400, exitCode: 1 },
  ),
  cancelled: defineError('workflow_cancelled', () => ({ message: 'the run was cancelled' }), {
    status: 409,
    exitCode: 130,
  }),
};
