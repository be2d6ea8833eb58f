import type { JobRepository, JobRow } from '../../repositories/job.repository.js';
import { jobErrors } from './job-errors.js';

export type Job = JobRow;

export interface EnqueueRequest {
  kind: string;
  payload?: Record<string, unknown>;
  /** The project the job belongs to: its workspace's members see it. None: instance admins only. */
  projectId?: string | null;
  /** Higher runs first (default 0). */
  priority?: number;
  /** Not before this time (default now). */
  runAt?: Date;
  /** Attempts before the job stays failed (default 3). */
  maxAttempts?: number;
}

/** What `JobQueue.depth()` answers. */
export interface QueueDepth {
  kinds: ({ kind: string } & Record<Job['status'], number>)[];
  /** Worker processes holding live leases now, with how many each. */
  workers: { owner: string; leases: number }[];
  /** Running jobs whose lease ran out (their worker died; another worker takes them again). */
  expiredLeases: number;
}

export interface BackoffOptions {
  /** The wait after the first failure; it doubles with each further one. */
  baseMs: number;
  /** The longest wait. */
  maxMs: number;
}

export interface JobQueueOptions {
  backoff?: BackoffOptions;
  /** The time source (tests move it). */
  now?: () => Date;
}

/** What a finished handler or its failure does to a job. */
export type Outcome =
  { kind: 'succeeded'; result: unknown } | { kind: 'failed'; error: string } | { kind: 'cancelled'; reason: string };

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 5_000, maxMs: 60 * 60_000 };
const LEASE_EXPIRED = 'the worker running it stopped answering (its lease expired) and no attempts are left';
const MAX_ERROR_LENGTH = 4_000;

/** The wait before attempt `attempts + 1`: base·2^(attempts-1), capped. */
export function backoffMs(attempts: number, backoff: BackoffOptions): number {
  return Math.min(backoff.baseMs * 2 ** Math.max(0, attempts - 1), backoff.maxMs);
}

/**
 * The lease-based job queue on the application database: jobs wait `queued`, a worker claims them
 * (`running`, with a lease it renews), and they end `succeeded`, `failed` (after max_attempts, with
 * `last_error`) or `cancelled`. A failed attempt waits an exponential backoff before the next.
 *
 * @example
 * const job = await queue.enqueue({ kind: 'catalog.sync', payload: { databaseId }, projectId });
 */
export class JobQueue {
  private readonly backoff: BackoffOptions;
  private readonly clock: () => Date;

  constructor(
    private readonly repo: JobRepository,
    options: JobQueueOptions = {},
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.clock = options.now ?? (() => new Date());
  }

  private now(offsetMs = 0): string {
    return new Date(this.clock().getTime() + offsetMs).toISOString();
  }

  async enqueue(request: EnqueueRequest): Promise<Job> {
    const maxAttempts = request.maxAttempts ?? 3;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
      throw jobErrors.badEnqueue('maxAttempts', 'must be 1 or more');
    if (!request.kind) throw jobErrors.badEnqueue('kind', 'is empty');
    return this.repo.insert(
      {
        kind: request.kind,
        payload: request.payload ?? {},
        project_id: request.projectId ?? null,
        priority: request.priority ?? 0,
        run_at: (request.runAt ?? this.clock()).toISOString(),
        max_attempts: maxAttempts,
      },
      this.now(),
    );
  }

  /**
   * The queue at a glance: jobs per kind in each status, and the leases of running jobs by owner
   * (a worker process): live ones, and expired ones whose worker stopped answering.
   */
  async depth(): Promise<QueueDepth> {
    const byKind = new Map<string, Record<Job['status'], number>>();
    for (const { kind, status, count } of await this.repo.countsByKindAndStatus()) {
      const counts = byKind.get(kind) ?? { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
      counts[status] = count;
      byKind.set(kind, counts);
    }
    const leases = await this.repo.leases(this.now());
    return {
      kinds: [...byKind].map(([kind, counts]) => ({ kind, ...counts })),
      workers: leases.filter((l) => l.live > 0).map((l) => ({ owner: l.owner, leases: l.live })),
      expiredLeases: leases.reduce((sum, l) => sum + l.expired, 0),
    };
  }

  async get(id: string): Promise<Job> {
    const job = await this.repo.find(id);
    if (!job) throw jobErrors.notFound(id);
    return job;
  }

  /** Claims up to `limit` due jobs of `kinds` for `owner`, leased for `leaseMs`. */
  claim(owner: string, kinds: readonly string[], limit: number, leaseMs: number): Promise<Job[]> {
    return this.repo.claim({ owner, kinds, limit, now: this.now(), leaseUntil: this.now(leaseMs) });
  }

  /** Extends the leases `owner` holds; says which it still holds and which have a cancel request. */
  renew(owner: string, ids: readonly string[], leaseMs: number) {
    return this.repo.renew(ids, owner, this.now(), this.now(leaseMs));
  }

  /** Records a running job's progress (false: the lease was lost). */
  async progress(job: Job, owner: string, progress: unknown): Promise<boolean> {
    return (await this.repo.updateHeld(job.id, owner, { progress, updated_at: this.now() })) !== undefined;
  }

  /**
   * Ends an attempt: succeeded with its result; failed, retried after the backoff while attempts
   * remain; or cancelled. Undefined when `owner` no longer held the job (another worker has it).
   */
  async finish(job: Job, owner: string, outcome: Outcome): Promise<Job | undefined> {
    const ended = { lease_owner: null, lease_expires_at: null, updated_at: this.now() };
    switch (outcome.kind) {
      case 'succeeded':
        return this.repo.updateHeld(job.id, owner, {
          ...ended,
          status: 'succeeded',
          result: outcome.result ?? null,
          finished_at: this.now(),
        });
      case 'cancelled':
        return this.repo.updateHeld(job.id, owner, {
          ...ended,
          status: 'cancelled',
          last_error: outcome.reason,
          finished_at: this.now(),
        });
      case 'failed': {
        const lastError = outcome.error.slice(0, MAX_ERROR_LENGTH);
        if (job.attempts >= job.max_attempts)
          return this.repo.updateHeld(job.id, owner, {
            ...ended,
            status: 'failed',
            last_error: lastError,
            finished_at: this.now(),
          });
        return this.repo.updateHeld(job.id, owner, {
          ...ended,
          status: 'queued',
          last_error: lastError,
          run_at: this.now(backoffMs(job.attempts, this.backoff)),
        });
      }
    }
  }

  /** Marks several held jobs succeeded in one statement; returns the ids `owner` still held. */
  completeMany(owner: string, items: readonly { id: string; result: unknown }[]): Promise<string[]> {
    return this.repo.completeMany(
      items.map((i) => ({ id: i.id, result: i.result ?? null })),
      owner,
      this.now(),
    );
  }

  /** Hands a held job back to the queue at once, its attempt not counted (a worker shutting down). */
  release(job: Job, owner: string): Promise<boolean> {
    return this.repo.release(job.id, owner, this.now());
  }

  /**
   * Cancels a job: a queued one at once; a running one by a request its worker sees at its next
   * lease renewal (its handler's signal aborts). A finished job cannot be cancelled.
   */
  async cancel(id: string): Promise<Job> {
    const now = this.now();
    for (;;) {
      const job = await this.get(id);
      if (job.status === 'queued') {
        const cancelled = await this.repo.transition(id, 'queued', {
          status: 'cancelled',
          cancel_requested_at: now,
          finished_at: now,
          updated_at: now,
        });
        if (cancelled) return cancelled;
      } else if (job.status === 'running') {
        if (job.cancel_requested_at) return job;
        const requested = await this.repo.transition(id, 'running', { cancel_requested_at: now, updated_at: now });
        if (requested) return requested;
      } else {
        throw jobErrors.alreadyFinished(id, job.status);
      }
      // The job changed status between the read and the write: look again.
    }
  }

  /** Ends jobs abandoned by dead workers that no claim may take again (no attempts left, or cancelled). */
  endAbandoned(): Promise<number> {
    return this.repo.endAbandoned(this.now(), LEASE_EXPIRED);
  }

  countByStatus(): Promise<Record<string, number>> {
    return this.repo.countByStatus();
  }
}
