import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { JobHandlerRegistry } from './job-handlers.js';
import type { Job, JobQueue, Outcome } from './job-queue.js';

export interface WorkerOptions {
  /** The lease owner written on claimed jobs (default host:pid:random). */
  id?: string;
  /** Jobs run at once (default 1). */
  concurrency?: number;
  /** How long a claim holds a job without renewal (default 30 s): a dead worker's job waits this long. */
  leaseMs?: number;
  /** How often leases are renewed and cancel requests looked for (default 1 s). */
  heartbeatMs?: number;
  /** The first wait when the queue is empty; it doubles up to maxPollMs (defaults 100 ms, 2 s). */
  pollMs?: number;
  maxPollMs?: number;
  /** Progress is written at most this often (default 250 ms); the last value is always written. */
  progressEveryMs?: number;
  /** One line per problem worth an operator's eye (a failed attempt, a lost database). */
  log?: (line: string) => void;
}

/** Why a handler's signal aborted. */
export class JobAborted extends Error {
  constructor(readonly why: 'cancelled' | 'shutdown' | 'lease_lost') {
    super(
      why === 'cancelled'
        ? 'the job was cancelled'
        : why === 'shutdown'
          ? 'the worker is shutting down'
          : 'the lease was lost',
    );
    this.name = 'JobAborted';
  }
}

interface Running {
  job: Job;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs jobs from the queue: polls for due jobs of the kinds it has handlers for (backing off while
 * the queue is empty), runs up to `concurrency` at once, renews their leases on a heartbeat (which
 * also delivers cancel requests to the handlers' signals), and on stop finishes or releases them.
 *
 * @example
 * const worker = new JobWorker(queue, handlers, { concurrency: 2 });
 * worker.start();
 * await worker.stop();
 */
export class JobWorker {
  readonly id: string;
  readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly pollMs: number;
  private readonly maxPollMs: number;
  private readonly progressEveryMs: number;
  private readonly log: (line: string) => void;
  private readonly active = new Map<string, Running>();
  private running = false;
  private loop: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private renewing = false;
  private wake: (() => void) | undefined;
  private lastSweep = 0;
  /** Successes waiting to be written; one statement writes all that gathered while the last one ran. */
  private completions: { id: string; result: unknown; written: () => void; failed: (error: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly queue: JobQueue,
    private readonly handlers: JobHandlerRegistry,
    options: WorkerOptions = {},
  ) {
    this.id = options.id ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.min(1_000, Math.floor(this.leaseMs / 3));
    this.pollMs = options.pollMs ?? 100;
    this.maxPollMs = options.maxPollMs ?? 2_000;
    this.progressEveryMs = options.progressEveryMs ?? 250;
    this.log = options.log ?? (() => undefined);
  }

  /** The kinds this worker claims. */
  get kinds(): string[] {
    return this.handlers.kinds();
  }

  /** How many jobs it is running now. */
  get busy(): number {
    return this.active.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.heartbeat = setInterval(() => void this.renew(), this.heartbeatMs);
    this.loop = this.poll();
  }

  /**
   * Stops claiming, lets running jobs finish for up to `graceMs`, then aborts the rest (their
   * signals say `shutdown`) and gives them back to the queue, attempt not counted.
   */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    const graceMs = options.graceMs ?? 10_000;
    if (!(await settledWithin(this.inFlight(), graceMs))) {
      for (const entry of this.active.values()) entry.controller.abort(new JobAborted('shutdown'));
      if (!(await settledWithin(this.inFlight(), Math.min(graceMs, 2_000)))) {
        // Handlers that ignore their signal: hand their jobs back now; their late result is refused.
        for (const { job } of this.active.values()) await this.queue.release(job, this.id).catch(() => undefined);
      }
    }
    clearInterval(this.heartbeat);
  }

  private inFlight(): Promise<unknown> {
    return Promise.all([...this.active.values()].map((r) => r.done));
  }

  private async poll(): Promise<void> {
    let idle = this.pollMs;
    while (this.running) {
      const free = this.concurrency - this.active.size;
      if (free === 0) {
        await this.sleep(this.maxPollMs); // a finishing job wakes the loop
        continue;
      }
      let jobs: Job[];
      try {
        jobs = await this.queue.claim(this.id, this.kinds, free, this.leaseMs);
      } catch (error) {
        this.log(`worker ${this.id}: cannot claim jobs (${(error as Error).message}); retrying`);
        await this.sleep(idle);
        idle = Math.min(idle * 2, this.maxPollMs);
        continue;
      }
      for (const job of jobs) this.execute(job);
      if (jobs.length === free) {
        idle = this.pollMs;
        continue;
      }
      if (jobs.length === 0) {
        await this.sweep();
        await this.sleep(idle);
        idle = Math.min(idle * 2, this.maxPollMs);
      } else {
        idle = this.pollMs;
        await this.sleep(idle);
      }
    }
  }

  /**
   * Ends jobs dead workers left with no attempts, when the queue is idle, at most once per lease
   * period: such a job waited a lease to be abandoned, it need not end sooner.
   */
  private async sweep(): Promise<void> {
    if (Date.now() - this.lastSweep < Math.max(1_000, this.leaseMs)) return;
    this.lastSweep = Date.now();
    await this.queue.endAbandoned().catch((error: unknown) => {
      this.log(`worker ${this.id}: cannot end abandoned jobs (${(error as Error).message})`);
    });
  }

  /** Waits `ms`, or less when a finishing job or stop() wakes the loop. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private execute(job: Job): void {
    const controller = new AbortController();
    const done = this.perform(job, controller)
      .catch((error: unknown) => {
        this.log(`worker ${this.id}: job ${job.id} could not be recorded (${(error as Error).message})`);
      })
      .finally(() => {
        this.active.delete(job.id);
        this.wake?.();
      });
    this.active.set(job.id, { job, controller, done });
  }

  private async perform(job: Job, controller: AbortController): Promise<void> {
    const handler = this.handlers.get(job.kind);
    let outcome: Outcome;
    // A handler may report progress per item: writes are spaced, and the last one is kept for the end.
    let lastWrite = 0;
    let unwritten: { progress: unknown } | undefined;
    const writeProgress = async (progress: unknown) => {
      lastWrite = Date.now();
      unwritten = undefined;
      if (!(await this.queue.progress(job, this.id, progress))) controller.abort(new JobAborted('lease_lost'));
    };
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      const result = await handler(job, {
        payload: job.payload,
        signal: controller.signal,
        progress: async (progress) => {
          if (Date.now() - lastWrite < this.progressEveryMs) unwritten = { progress };
          else await writeProgress(progress);
        },
      });
      outcome = { kind: 'succeeded', result: result ?? null };
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      if (reason instanceof JobAborted && reason.why === 'shutdown') {
        await this.queue.release(job, this.id);
        return;
      }
      if (reason instanceof JobAborted && reason.why === 'lease_lost') return;
      if (reason instanceof JobAborted) outcome = { kind: 'cancelled', reason: reason.message };
      else {
        const message = error instanceof Error ? error.message : String(error);
        this.log(`worker ${this.id}: job ${job.id} (${job.kind}) attempt ${job.attempts} failed: ${message}`);
        outcome = { kind: 'failed', error: message };
      }
    }
    if (unwritten) await writeProgress(unwritten.progress);
    if (outcome.kind === 'succeeded') await this.complete(job, outcome.result);
    else await this.queue.finish(job, this.id, outcome);
  }

  /** Records a success in the next group write (a busy worker writes many per statement). */
  private complete(job: Job, result: unknown): Promise<void> {
    return new Promise((written, failed) => {
      this.completions.push({ id: job.id, result, written, failed });
      // Started after this turn of the event loop, so the jobs finishing together share one write.
      this.flushing ??= new Promise((resolve) => setImmediate(resolve)).then(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.completions.length > 0) {
      const batch = this.completions.splice(0, 500);
      try {
        await this.queue.completeMany(this.id, batch);
        for (const item of batch) item.written();
      } catch (error) {
        for (const item of batch) item.failed(error);
      }
    }
    this.flushing = undefined;
  }

  /** Renews the leases of running jobs; aborts those cancelled or taken by another worker. */
  private async renew(): Promise<void> {
    if (this.renewing || this.active.size === 0) return;
    this.renewing = true;
    const ids = [...this.active.keys()];
    try {
      const held = new Map((await this.queue.renew(this.id, ids, this.leaseMs)).map((h) => [h.id, h]));
      for (const id of ids) {
        const entry = this.active.get(id);
        if (!entry || entry.controller.signal.aborted) continue;
        const state = held.get(id);
        if (!state) entry.controller.abort(new JobAborted('lease_lost'));
        else if (state.cancelRequested) entry.controller.abort(new JobAborted('cancelled'));
      }
    } catch (error) {
      this.log(`worker ${this.id}: cannot renew leases (${(error as Error).message})`);
    } finally {
      this.renewing = false;
    }
  }
}

/** True when `promise` settles within `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
