/** A PostgreSQL that `oxy start` has brought up, and how to put it down again. */
export interface RunningPostgres {
  /**
   * Stops what this `oxy start` is responsible for, saying what it does and what happens to the
   * data (after `reason`, e.g. "SIGINT received during start-up", when given). A database that
   * another `oxy start` still uses, or that was running before, is left running.
   */
  stop(reason?: string): Promise<void>;
}

/** Where `oxy start` runs its local PostgreSQL: a container (docker-runtime.ts) or embedded (embedded-runtime.ts). */
export interface LocalPostgresRuntime {
  /**
   * Brings PostgreSQL up on the runtime's port until it accepts connections. Once `abort` fires
   * (Ctrl+C during start-up) it stops waiting and returns, so the caller can stop it at once.
   */
  up(abort: AbortSignal): Promise<RunningPostgres>;
}

/** `reason: what` when there is a reason, else `what`. */
export const because = (reason: string | undefined, what: string) => (reason ? `${reason}: ${what}` : what);
