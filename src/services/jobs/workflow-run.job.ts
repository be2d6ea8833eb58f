import type { JobHandler } from './job-handlers.js';
import type { JobQueue } from './job-queue.js';
import { jobErrors } from './job-errors.js';

export const WORKFLOW_RUN = 'workflow.run';

/** The part of the run service a `workflow.run` job needs. */
export interface RunExecutor {
  execute(runId: string, signal: AbortSignal): Promise<{ status: string; error?: string }>;
}

/**
 * Runs `workflow.run` jobs. A workflow that fails ends its run `failed` and the job succeeds (the
 * failure is the user's to fix, not the queue's to retry); a worker that dies mid-run leaves the
 * job to its next attempt, which resumes the run.
 */
export function workflowRunHandler(runs: RunExecutor): JobHandler {
  return async (_job, ctx) => {
    const runId = ctx.payload.runId;
    if (typeof runId !== 'string') throw new Error('workflow.run needs payload.runId');
    return runs.execute(runId, ctx.signal);
  };
}

/** How the run service reaches the queue: one `workflow.run` job per run (and per retry). */
export function runJobs(queue: JobQueue) {
  return {
    async enqueue(runId: string, projectId: string): Promise<string> {
      return (await queue.enqueue({ kind: WORKFLOW_RUN, payload: { runId }, projectId })).id;
    },
    async cancel(jobId: string): Promise<void> {
      try {
        await queue.cancel(jobId);
      } catch (error) {
        // The job finished in the meantime (its run is finishing too): nothing left to stop.
        if (!jobErrors.alreadyFinished.is(error)) throw error;
      }
    },
  };
}
