import { Ajv } from 'ajv';
import type nunjucks from 'nunjucks';
import { OxyError } from '../../errors.js';
import { checkWorkflow } from './check-workflow.js';
import type { RunEvent, TaskContext, WorkflowAgents, WorkflowDatabases, WorkflowFiles } from './run-context.js';
import { summarize, templateValue, templateValues, type TaskOutput } from './task-output.js';
import { TASK_TYPES } from './tasks/index.js';
import { createTemplateEnvironment } from './template-environment.js';
import { workflowErrors } from './workflow-errors.js';
import { variableSpecs } from './workflow-variables.js';
import { exportOutput } from './task-export.js';

const ajv = new Ajv({ allErrors: false, strict: false, useDefaults: true });

export interface RunOptions {
  databases: WorkflowDatabases;
  files: WorkflowFiles;
  /** The agents `agent` tasks ask (none: those tasks refuse to run). */
  agents?: WorkflowAgents;
  /** Values for the workflow's variables; the others take their defaults. */
  variables?: Record<string, unknown>;
  onEvent?: (event: RunEvent) => void | Promise<void>;
  signal?: AbortSignal;
  /** Outputs of steps from an earlier run, by step path: those steps are not run again (a retry). */
  replay?: ReadonlyMap<string, TaskOutput>;
  /** The file's name, for messages and cycle detection of nested workflows. */
  source?: string;
}

interface Scope {
  /** Values every template sees: variables, then outer outputs, then this scope's. */
  values: Record<string, unknown>;
  outputs: Record<string, TaskOutput>;
}

/**
 * Runs a workflow definition (Oxy's procedure format), task by task: each task type's own module
 * does the work; the runner keeps the scope templates see, stops between steps when cancelled,
 * replays the outputs a retry already has, and reports every step as it starts and finishes.
 * A failed step fails the run with the step's error.
 */
export class WorkflowRunner {
  private readonly env: nunjucks.Environment = createTemplateEnvironment();

  constructor(private readonly options: RunOptions) {}

  /** Runs the definition's text; resolves to every top-level task's output by name. */
  async run(text: string): Promise<Record<string, TaskOutput>> {
    return this.runText(text, this.options.variables ?? {}, [this.options.source ?? 'workflow'], '');
  }

  private async runText(
    text: string,
    given: Record<string, unknown>,
    stack: string[],
    prefix: string,
  ): Promise<Record<string, TaskOutput>> {
    const { definition, problems } = checkWorkflow(text);
    if (!definition || problems.length > 0) {
      const first = problems[0];
      throw workflowErrors.invalid(
        stack.at(-1)!,
        first ? `line ${first.line}: ${first.message}` : 'empty',
        problems.length,
      );
    }
    const variables = resolveVariables(definition.variables, given);
    const scope: Scope = { values: { ...variables, variables }, outputs: {} };
    return this.runTasks(definition.tasks as unknown[], scope, prefix, stack);
  }

  private async runTasks(
    tasks: unknown[],
    parent: Scope,
    prefix: string,
    stack: string[],
  ): Promise<Record<string, TaskOutput>> {
    const scope: Scope = { values: { ...parent.values }, outputs: {} };
    for (const raw of tasks) {
      const task = raw as Record<string, unknown>;
      const name = String(task.name);
      const path = prefix ? `${prefix}.${name}` : name;
      const output = await this.runStep(task, path, scope, stack);
      scope.outputs[name] = output;
      scope.values[name] = templateValue(output);
    }
    return scope.outputs;
  }

  private async runStep(
    task: Record<string, unknown>,
    path: string,
    scope: Scope,
    stack: string[],
  ): Promise<TaskOutput> {
    const { signal, replay, onEvent } = this.options;
    if (signal?.aborted) throw workflowErrors.cancelled();
    const name = String(task.name);
    const taskType = String(task.type);
    const started = performance.now();
    let input: string | undefined;
    const finished = async (
      status: 'succeeded' | 'failed' | 'reused' | 'cancelled',
      extra: { output?: TaskOutput; error?: string },
    ) =>
      onEvent?.({
        type: 'step_finished',
        path,
        name,
        taskType,
        status,
        durationMs: Math.round(performance.now() - started),
        ...(input === undefined ? {} : { input }),
        ...extra,
      });
    const replayed = replay?.get(path);
    if (replayed) {
      await finished('reused', { output: replayed });
      return replayed;
    }
    await onEvent?.({ type: 'step_started', path, name, taskType });
    try {
      const cache = task.cache as { enabled?: boolean; path: string } | null | undefined;
      const cached = cache?.enabled
        ? await this.options.files.readCache(this.render(cache.path, scope.values))
        : undefined;
      const output =
        cached ??
        (await TASK_TYPES.get(taskType)!.run(
          task,
          this.context(path, scope, stack, (text) => (input = text)),
        ));
      if (cache?.enabled && !cached) await this.options.files.writeCache(this.render(cache.path, scope.values), output);
      const exported = task.export as { path: string; format: string } | null | undefined;
      if (exported) {
        const target = this.render(exported.path, { ...scope.values, [name]: templateValue(output) });
        await this.options.files.writeExport(target, exportOutput(output, exported.format, input));
      }
      await finished('succeeded', { output });
      return output;
    } catch (error) {
      const cancelled = signal?.aborted === true;
      const reason = error instanceof Error ? error.message : String(error);
      await finished(cancelled ? 'cancelled' : 'failed', { error: reason });
      if (cancelled) throw workflowErrors.cancelled();
      if (error instanceof OxyError && error.code.startsWith('workflow_')) throw error;
      throw workflowErrors.taskFailed(path, reason);
    }
  }

  private context(path: string, scope: Scope, stack: string[], reportInput: (text: string) => void): TaskContext {
    const { databases, files, agents } = this.options;
    return {
      path,
      ...(agents ? { agents } : {}),
      output: (name) => scope.outputs[name],
      signal: this.options.signal ?? new AbortController().signal,
      databases,
      files,
      reportInput,
      render: (template, extra = {}) => {
        // A task's own variables add to the workflow's (`{{ variables.x }}` sees both).
        const variables = { ...(scope.values.variables as object), ...(extra.variables as object | undefined) };
        return this.render(template, { ...scope.values, ...extra, variables });
      },
      renderList: (template) => this.renderList(template, scope.values, path),
      runTasks: (tasks, childPath, values = {}) =>
        this.runTasks(tasks, { values: { ...scope.values, ...values }, outputs: {} }, childPath, stack),
      runWorkflow: async (src, variables) => {
        if (stack.includes(src)) throw workflowErrors.cycle([...stack, src]);
        return this.runText(await files.readText(src), variables, [...stack, src], path);
      },
    };
  }

  private render(template: string, values: Record<string, unknown>): string {
    return this.env.renderString(template, values);
  }

  /** `{{ expr }}` alone keeps its value (a list stays a list); other text must render a JSON list. */
  private renderList(template: string, values: Record<string, unknown>, path: string): unknown[] {
    const single = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(template);
    const rendered =
      single && !single[1]!.includes('}}')
        ? this.render(`{{ (${single[1]}) | dump }}`, values)
        : this.render(template, values);
    let value: unknown;
    try {
      value = rendered.trim() === '' ? [] : JSON.parse(rendered);
    } catch {
      throw workflowErrors.notAList(path, JSON.stringify(rendered.slice(0, 60)));
    }
    if (!Array.isArray(value)) throw workflowErrors.notAList(path, JSON.stringify(value)?.slice(0, 60) ?? 'nothing');
    return value;
  }
}

/** The given variables checked against the workflow's declarations, with defaults for the rest. */
export function resolveVariables(declared: unknown, given: Record<string, unknown>): Record<string, unknown> {
  const { specs } = variableSpecs(declared, ajv);
  const names = specs.map((s) => s.name);
  for (const name of Object.keys(given)) if (!names.includes(name)) throw workflowErrors.unknownVariable(name, names);
  const values: Record<string, unknown> = {};
  for (const spec of specs) {
    const value = spec.name in given ? given[spec.name] : spec.default;
    if (value === undefined) {
      if (Object.keys(spec.schema).length > 0 && spec.schema.default === undefined) {
        throw workflowErrors.variable(spec.name, 'has no default and was not given');
      }
      continue;
    }
    const validate = ajv.compile(spec.schema);
    if (!validate(value))
      throw workflowErrors.variable(spec.name, ajv.errorsText(validate.errors, { dataVar: '' }).replace(/^ /, ''));
    values[spec.name] = value;
  }
  return values;
}

export { summarize, templateValues };
