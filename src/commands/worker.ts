import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { openMigratedDatabase } from '../db/open-app-database.js';
import { createAppServices } from '../services/app-services.js';
import { JobWorker } from '../services/jobs/worker.js';
import { countParser } from './count-option.js';
import { waitForShutdownSignal } from './shutdown-signals.js';

/** The start-up line of a worker: who it is and what it runs. */
export function describeWorker(worker: JobWorker): string {
  const kinds = worker.kinds.length > 0 ? worker.kinds.join(', ') : 'none registered';
  return `job worker ${worker.id}: up to ${worker.concurrency} at once; kinds: ${kinds}`;
}

/**
 * Runs job workers on the configured database until SIGINT/SIGTERM, then stops claiming, lets
 * running jobs finish (or gives them back to the queue) and exits 0.
 */
export async function runWorkerUntilSignal(
  options: { concurrency: number },
  env: NodeJS.ProcessEnv = process.env,
  shutdown: Promise<NodeJS.Signals> = waitForShutdownSignal(),
): Promise<void> {
  const config = loadConfig(env);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { database } = await openMigratedDatabase(config, log);
  try {
    const services = await createAppServices(config, database);
    const worker = new JobWorker(services.jobs, services.jobHandlers, { concurrency: options.concurrency, log });
    worker.start();
    log(`${describeWorker(worker)} — database ${config.database.backend} ${config.database.display}`);
    const signal = await shutdown;
    log(`${signal} received: finishing running jobs (or handing them back) and stopping`);
    await worker.stop();
  } finally {
    await database.close();
  }
}

/** `oxy worker`: runs queued jobs without serving HTTP, so servers and workers scale apart. */
export function workerCommand(): Command {
  return new Command('worker')
    .description('run queued jobs (catalog syncs, workflow runs) without the web server')
    .addOption(new Option('-c, --concurrency <n>', 'jobs run at once').default(1).argParser(countParser(1)))
    .action(async (opts: { concurrency: number }) => {
      await runWorkerUntilSignal(opts);
    });
}
