import os from 'node:os';

/** The signals that shut oxy down gracefully: Ctrl+C, a service manager's stop, a closed terminal. */
export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Resolves on the first shutdown signal. */
export function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      for (const s of SHUTDOWN_SIGNALS) process.off(s, handler);
      resolve(signal);
    };
    for (const s of SHUTDOWN_SIGNALS) process.on(s, handler);
  });
}

/** The shell's convention for a process ended by a signal: 128 + its number (SIGINT 130, SIGTERM 143). */
export const exitCodeFor = (signal: NodeJS.Signals) => 128 + (os.constants.signals[signal] ?? 0);

/**
 * Listens for a shutdown signal from now on, for a command with a start-up worth finishing cleanly
 * (oxy start): the first signal resolves `shutdown` and aborts `startup`; a second exits at once.
 */
export function shutdownDuringStartup(): { shutdown: Promise<NodeJS.Signals>; startup: AbortSignal } {
  const shutdown = waitForShutdownSignal();
  const startup = new AbortController();
  void shutdown.then((signal) => {
    startup.abort(signal);
    for (const again of SHUTDOWN_SIGNALS) process.once(again, () => process.exit(exitCodeFor(again)));
  });
  return { shutdown, startup: startup.signal };
}
