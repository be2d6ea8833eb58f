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
