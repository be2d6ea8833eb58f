import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { OxyError } from '../errors.js';
import type { TransferOptions, TransferReport } from './migrate-sqlite.js';
import type { ThreadMessage } from './transfer-thread.js';

/**
 * Young generation of the migration's thread. V8 sizes it per thread, and only at the thread's
 * start; on the main thread it grows to 32 MB or more (Node's flags can set it there, a program
 * cannot), while the transfer keeps little alive: a small one costs no measurable speed and keeps
 * the process's memory flat (about 30 MB less at every scale).
 */
const YOUNG_GENERATION_MB = 3;

/**
 * Runs {@link migrateSqlite} on a thread of its own, with a small young generation; the main
 * thread only relays its progress to `options.reporter`. Resolves with the report, or rejects
 * with the same one-line error (code, hint, exit code, partial report) the transfer threw. Runs
 * in place when the compiled thread file is not there (running from TypeScript sources).
 */
export async function migrateSqliteInThread(options: TransferOptions): Promise<TransferReport> {
  const file = fileURLToPath(new URL('./transfer-thread.js', import.meta.url));
  if (!fs.existsSync(file)) return (await import('./migrate-sqlite.js')).migrateSqlite(options);
  const { reporter, ...rest } = options;
  const worker = new Worker(file, {
    workerData: rest,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  let outcome: { report: TransferReport } | { error: Error } | undefined;
  worker.on('message', (message: ThreadMessage) => {
    if ('call' in message) return (reporter[message.call] as (...args: unknown[]) => void)(...message.args);
    outcome = 'report' in message ? { report: message.report } : { error: asError(message.failure) };
    // The thread's last word: whatever it still holds open must not keep the command waiting.
    void worker.terminate();
  });
  const exited = new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', resolve);
  });
  const code = await exited.catch((error: Error) => {
    outcome ??= { error };
    return 1;
  });
  if (!outcome) throw new Error(`the migration thread stopped without a result (exit code ${code})`);
  if ('error' in outcome) throw outcome.error;
  return outcome.report;
}

function asError(failure: Extract<ThreadMessage, { failure: unknown }>['failure']): Error {
  const { message, code, hint, exitCode, status, stack, report } = failure;
  const error = code === undefined ? new Error(message) : new OxyError(code, message, { hint, exitCode, status });
  if (stack) error.stack = stack;
  return Object.assign(error, { report });
}
