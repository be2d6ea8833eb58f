import { EventEmitter } from 'node:events';
import { nowTimestamp } from '../../db/timestamp.js';
import { ConflictError } from '../../errors.js';
import type { EntityRepository, RowValues } from '../../repositories/entity.repository.js';
import type { RunRepository } from '../../repositories/run.repository.js';
import type { ConnectorService } from '../connectors/connector.service.js';
import { appWorkflowIo } from './app-workflow-files.js';
import { checkWorkflow } from './check-workflow.js';
import type { RunEvent, WorkflowAgents } from './run-context.js';
import { isComplete, storedOutput } from './stored-output.js';
import { summarize, type TaskOutput } from './task-output.js';
import { resolveVariables, WorkflowRunner } from './workflow-runner.js';

/** How runs reach the job queue (wired to it at start-up): a run is one `workflow.run` job. */
export interface RunJobs {
  /** Queues the run; resolves to the job's id. */
  enqueue(runId: string, projectId: string): Promise<string>;
  /** Cancels the job: a queued one at once, a running one through its worker's signal. */
  cancel(jobId: string): Promise<void>;
}

/** The statuses a run ends in. */
export const FINISHED_RUN_STATUSES: readonly string[] = ['succeeded', 'failed', 'cancelled'];

/**
 * Workflow runs of the application: created numbered per workflow and queued, executed by a
 * worker (steps recorded as they start and finish, every event appended to the run's log),
 * cancelled, retried from the failed step with the outputs before it reused. A worker that dies
 * mid-run leaves a `running` run its job's next attempt resumes the same way.
 */
export class RunService {
  /** Wakes this process's event subscribers; other processes' subscribers poll the log. */
  readonly appended = new EventEmitter().setMaxListeners(0);
  private agents: ((projectId: string) => WorkflowAgents) | undefined;

  constructor(
    private readonly repo: EntityRepository,
    private readonly runs: RunRepository,
    private readonly connectors: ConnectorService,
    private readonly jobs: RunJobs,
  ) {}

  /** How `agent` tasks of a project's runs reach its agents (set once the application's services exist). */
  useAgents(agents: (projectId: string) => WorkflowAgents): void {
    this.agents = agents;
  }

  /** Creates a run of the workflow with `variables` (checked against its declarations now) and queues it. */
  async start(workflowId: string, variables: Record<string, unknown> = {}): Promise<RowValues> {
    const workflow = await this.repo.get('workflows', workflowId);
    const { definition } = checkWorkflow(String(workflow.definition));
    resolveVariables(definition?.variables, variables);
    const run = await this.runs.insertRun({ workflow_id: workflowId, status: 'pending', variables });
    await this.event(String(run.id), 'run_queued', { runIndex: run.run_index, variables });
    return this.queue(run, String(workflow.project_id));
  }

  /** Asks a run to stop: a pending one is cancelled at once, a running one between steps (its SQL cancelled). */
  async cancel(runId: string): Promise<RowValues> {
    const run = await this.repo.get('runs', runId);
    if (FINISHED_RUN_STATUSES.includes(String(run.status)))
      throw new ConflictError(`run ${runId} already ${String(run.status)}: nothing to cancel`);
    if (run.job_id) await this.jobs.cancel(String(run.job_id));
    if (run.status === 'pending') return this.finish(run, 'cancelled', null);
    await this.event(runId, 'run_cancel_requested', {});
    return this.repo.get('runs', runId);
  }

  /** Runs a failed or cancelled run again from where it stopped, reusing the outputs of the steps that succeeded. */
  async retry(runId: string): Promise<RowValues> {
    const run = await this.repo.get('runs', runId);
    if (run.status !== 'failed' && run.status !== 'cancelled')
      throw new ConflictError(`run ${runId} is ${String(run.status)}: only a failed or cancelled run can be retried`);
    const workflow = await this.repo.get('workflows', String(run.workflow_id));
    await this.runs.dropUnfinishedSteps(runId);
    const reset = await this.repo.update('runs', runId, { status: 'pending', error: null, finished_at: null });
    await this.event(runId, 'run_retried', {});
    return this.queue(reset, String(workflow.project_id));
  }

  /** Executes a run (a `workflow.run` job); resolves with its final status. Errors of the workflow end the run, not the job. */
  async execute(runId: string, signal: AbortSignal): Promise<{ status: string; error?: string }> {
    const run = await this.repo.get('runs', runId);
    if (FINISHED_RUN_STATUSES.includes(String(run.status))) return { status: String(run.status) };
    const workflow = await this.repo.get('workflows', String(run.workflow_id));
    const project = await this.repo.get('projects', String(workflow.project_id));
    const projectId = String(project.id);
    // Steps a dead worker left running are run again; succeeded ones are reused when complete.
    await this.runs.dropUnfinishedSteps(runId);
    const replay = new Map<string, TaskOutput>();
    for (const step of await this.runs.steps(runId)) {
      const output = step.output as TaskOutput | null;
      if (step.path && output && isComplete(output)) replay.set(String(step.path), output);
    }
    await this.repo.update('runs', runId, {
      status: 'running',
      started_at: run.started_at ?? nowTimestamp(),
      error: null,
    });
    await this.event(runId, 'run_started', { runIndex: run.run_index, reused: replay.size });
    const recorder = new StepRecorder(this.repo, runId, await this.runs.nextStepIndex(runId), (type, data) =>
      this.event(runId, type, data),
    );
    const folder = (project.settings as { folder?: unknown } | null)?.folder;
    const runner = new WorkflowRunner({
      ...appWorkflowIo(this.repo, this.connectors, projectId, typeof folder === 'string' ? folder : undefined),
      ...(this.agents ? { agents: this.agents(projectId) } : {}),
      variables: (run.variables ?? {}) as Record<string, unknown>,
      signal,
      replay,
      source: String(workflow.name),
      onEvent: (event) => recorder.record(event),
    });
    try {
      await runner.run(String(workflow.definition));
      await this.finish(run, 'succeeded', null);
      return { status: 'succeeded' };
    } catch (error) {
      const status = signal.aborted ? 'cancelled' : 'failed';
      const message = error instanceof Error ? error.message : String(error);
      await this.finish(run, status, status === 'failed' ? message : null);
      return { status, error: message };
    }
  }

  /** The run's events after `seq`, for the event stream. */
  eventsAfter(runId: string, seq: number): Promise<RowValues[]> {
    return this.runs.eventsAfter(runId, seq);
  }

  private async queue(run: RowValues, projectId: string): Promise<RowValues> {
    const jobId = await this.jobs.enqueue(String(run.id), projectId);
    return this.repo.update('runs', String(run.id), { job_id: jobId });
  }

  private async finish(run: RowValues, status: string, error: string | null): Promise<RowValues> {
    const updated = await this.repo.update('runs', String(run.id), { status, error, finished_at: nowTimestamp() });
    await this.event(String(run.id), 'run_finished', { status, ...(error ? { error } : {}) });
    return updated;
  }

  private async event(runId: string, type: string, data: Record<string, unknown>): Promise<void> {
    const row = await this.runs.appendEvent(runId, type, data);
    this.appended.emit(runId, row.seq);
  }
}

/** Turns the runner's events into run_steps rows and the run's event log. */
class StepRecorder {
  private readonly rows = new Map<string, string>();

  constructor(
    private readonly repo: EntityRepository,
    private readonly runId: string,
    private nextIndex: number,
    private readonly event: (type: string, data: Record<string, unknown>) => Promise<void>,
  ) {}

  async record(event: RunEvent): Promise<void> {
    const { path, name, taskType } = event;
    if (event.type === 'step_started') {
      const row = await this.repo.insert('run_steps', {
        run_id: this.runId,
        step_index: this.nextIndex++,
        name: name.slice(0, 200),
        path,
        task_type: taskType,
        status: 'running',
        started_at: nowTimestamp(),
      });
      this.rows.set(path, String(row.id));
      await this.event('step_started', { path, name, taskType, stepId: row.id });
      return;
    }
    const summary = event.output ? summarize(event.output) : undefined;
    const id = this.rows.get(path);
    if (event.status !== 'reused' && id) {
      await this.repo.update('run_steps', id, {
        status: event.status,
        input: event.input === undefined ? null : { sql: event.input },
        output: event.output ? storedOutput(event.output).output : null,
        error: event.error ?? null,
        finished_at: nowTimestamp(),
        duration_ms: event.durationMs,
      });
    }
    await this.event('step_finished', {
      path,
      name,
      taskType,
      status: event.status,
      durationMs: event.durationMs,
      ...(summary === undefined ? {} : { summary }),
      ...(event.error === undefined ? {} : { error: event.error }),
      ...(id === undefined ? {} : { stepId: id }),
    });
  }
}
