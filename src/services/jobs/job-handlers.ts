import type { Job } from './job-queue.js';

/** What a handler gets besides its job: the payload, a signal that aborts on cancel, lease loss or shutdown, and a progress reporter. */
export interface JobContext {
  readonly payload: Record<string, unknown>;
  readonly signal: AbortSignal;
  /** Stores `progress` on the job, where GET /api/jobs/:id shows it. */
  progress(progress: unknown): Promise<void>;
}

/** Runs one job; what it returns is stored as the job's `result`, what it throws fails the attempt. */
export type JobHandler = (job: Job, ctx: JobContext) => Promise<unknown>;

/**
 * Which handler runs each job kind. A worker claims only the kinds registered here, so a worker
 * that lacks a kind's handler leaves those jobs to one that has it.
 */
export class JobHandlerRegistry {
  private readonly handlers = new Map<string, JobHandler>();

  register(kind: string, handler: JobHandler): this {
    if (this.handlers.has(kind)) throw new Error(`job kind ${kind} is registered twice`);
    this.handlers.set(kind, handler);
    return this;
  }

  get(kind: string): JobHandler | undefined {
    return this.handlers.get(kind);
  }

  kinds(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
