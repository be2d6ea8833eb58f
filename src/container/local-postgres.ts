/** A PostgreSQL that `oxy start` has brought up, and how to put it down again. */
export interface RunningPostgres {
  /** Stops what this `oxy start` started; does nothing to a database it found already running. */
  stop(): Promise<void>;
  /** The line printed when stopping, saying what happens to the data. */
  stopping: string;
}

/** Where `oxy start` runs its local PostgreSQL: a container (docker-runtime.ts) or embedded (embedded-runtime.ts). */
export interface LocalPostgresRuntime {
  /**
   * Brings PostgreSQL up on the runtime's port until it accepts connections. Once `abort` fires
   * (Ctrl+C during start-up) it stops waiting and returns, so the caller can stop it at once.
   */
  up(abort: AbortSignal): Promise<RunningPostgres>;
}
