import { parentPort, workerData } from 'node:worker_threads';
import { OxyError } from '../errors.js';
import { migrateSqlite, type TransferOptions, type TransferReport } from './migrate-sqlite.js';
import type { TransferReporter } from './transfer-reporter.js';

/**
 * The thread a migration runs on (migrate-in-thread.ts starts it): runs migrateSqlite with a
 * reporter that forwards every call to the main thread, then posts the report or the failure.
 * workerData: TransferOptions without the reporter.
 */

export type ThreadMessage =
  | { call: keyof TransferReporter; args: unknown[] }
  | { report: TransferReport }
  | {
      failure: {
        message: string;
        code?: string;
        hint?: string;
        exitCode?: number;
        status?: number;
        /** The thread's own stack, for --verbose. */
        stack?: string;
        report?: TransferReport;
      };
    };

const port = parentPort!;
const post = (message: ThreadMessage) => port.postMessage(message);

const forward =
  (call: keyof TransferReporter) =>
  (...args: unknown[]): void =>
    post({ call, args });

const reporter: TransferReporter = {
  note: forward('note'),
  planned: forward('planned'),
  skipped: forward('skipped'),
  entityStart: forward('entityStart'),
  entityProgress: forward('entityProgress'),
  entityCopied: forward('entityCopied'),
  entityDone: forward('entityDone'),
  close: () => undefined, // the main thread's reporter is closed there
};

try {
  post({ report: await migrateSqlite({ ...(workerData as Omit<TransferOptions, 'reporter'>), reporter }) });
} catch (error) {
  const report = (error as { report?: TransferReport }).report;
  const { code, hint, exitCode, status } = error instanceof OxyError ? error : {};
  post({
    failure: {
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
      code,
      hint,
      exitCode,
      status,
      report,
    },
  });
}
