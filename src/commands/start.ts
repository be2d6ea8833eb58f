import os from 'node:os';
import readline from 'node:readline/promises';
import { Command, Option } from 'commander';
import { ensureStateDir, loadConfig } from '../config.js';
import { containerCli, DockerRuntime } from '../container/docker-runtime.js';
import { EmbeddedRuntime } from '../container/embedded-runtime.js';
import type { LocalPostgresRuntime } from '../container/local-postgres.js';
import { SharedUse } from '../container/shared-use.js';
import { LOCAL_POSTGRES, localPostgresPort, localPostgresUrl } from '../container/postgres-container.js';
import { maskUrl } from '../db/url.js';
import { OxyError } from '../errors.js';
import type { ServeOptions } from '../server/run-server.js';
import { addServeOptions, serveUntilSignal } from './serve.js';
import { SHUTDOWN_SIGNALS, waitForShutdownSignal } from './shutdown-signals.js';

type Runtime = 'auto' | 'docker' | 'embedded';
interface StartOptions extends ServeOptions {
  runtime: Runtime;
  clean: boolean;
  yes: boolean;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The shell's convention for a process ended by a signal: 128 + its number (SIGINT 130, SIGTERM 143). */
const exitCodeFor = (signal: NodeJS.Signals) => 128 + (os.constants.signals[signal] ?? 0);

async function confirm(question: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) return false;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function clean(runtime: Runtime, stateDir: string, port: number, yes: boolean): Promise<void> {
  const removed: string[] = [];
  if (runtime !== 'embedded') {
    removed.push(...(await cleanContainer(new DockerRuntime(containerCli(), port, log), runtime, yes)));
  }
  if (runtime !== 'docker') {
    const embedded = new EmbeddedRuntime(stateDir, port, log);
    removed.push(...(await embedded.clean((dataDir) => confirm(`Remove the embedded PostgreSQL data in ${dataDir}?`, yes))));
  }
  log(removed.length > 0 ? `removed: ${removed.join(', ')}` : 'nothing removed');
}

/** Removes oxy-postgres (and its volume if confirmed); with --runtime auto, no Docker means nothing to remove. */
async function cleanContainer(docker: DockerRuntime, runtime: Runtime, yes: boolean): Promise<string[]> {
  try {
    await docker.check();
  } catch (error) {
    if (runtime === 'docker') throw error;
    log(`${(error as Error).message}: no container to remove`);
    return [];
  }
  const current = await docker.state();
  if (current.running && (await SharedUse.inUse(localPostgresUrl(current.publishedPort ?? docker.port)))) {
    throw new OxyError('container_in_use', `container ${LOCAL_POSTGRES.container} is in use by a running oxy start`, { hint: 'stop it first (Ctrl+C in its terminal), then run oxy start --clean again' });
  }
  const dropVolume = (await docker.volumeExists()) && (await confirm(`Remove the volume ${LOCAL_POSTGRES.volume} and all the data in it?`, yes));
  if (!dropVolume) log(`volume ${LOCAL_POSTGRES.volume} kept (pass --yes to remove it too)`);
  return docker.clean(dropVolume);
}

/**
 * `oxy start`: a local PostgreSQL 18 (Docker/Podman container, or embedded without Docker),
 * migrated and served like `oxy serve`; Ctrl+C stops the server, then the database, keeping data.
 */
export function startCommand(): Command {
  return addServeOptions(new Command('start').description('start a local PostgreSQL 18 (container oxy-postgres, or --runtime embedded), migrate it and serve'))
    .addOption(new Option('--runtime <runtime>', 'where PostgreSQL runs: docker (or OXY_CONTAINER_CLI, e.g. podman), embedded (no Docker needed), auto = docker').choices(['auto', 'docker', 'embedded']).default('auto'))
    .option('--clean', 'remove the container (and, after confirmation or --yes, its volume / the embedded data) instead of starting', false)
    .option('-y, --yes', 'answer yes to --clean’s confirmation', false)
    .action(async (opts: StartOptions) => {
      const config = loadConfig();
      ensureStateDir(config.stateDir);
      const port = localPostgresPort();
      if (opts.clean) return clean(opts.runtime, config.stateDir, port, opts.yes);
      if (config.databaseFromEnv) {
        log(`OXY_DATABASE_URL is set: serving ${config.database.display}, no local PostgreSQL started`);
        return serveUntilSignal(opts);
      }
      // Listen for Ctrl+C from here on, so one during start-up still stops the database it began;
      // a second Ctrl+C exits at once.
      const shutdown = waitForShutdownSignal();
      const startup = new AbortController();
      void shutdown.then((signal) => {
        startup.abort(signal);
        for (const again of SHUTDOWN_SIGNALS) process.once(again, () => process.exit(exitCodeFor(again)));
      });
      const runtime: LocalPostgresRuntime = opts.runtime === 'embedded' ? new EmbeddedRuntime(config.stateDir, port, log) : new DockerRuntime(containerCli(), port, log);
      const database = await runtime.up(startup.signal);
      if (startup.signal.aborted) {
        await database.stop(`${String(startup.signal.reason)} received during start-up`);
        process.exitCode = exitCodeFor(startup.signal.reason as NodeJS.Signals);
        return;
      }
      const url = localPostgresUrl(port);
      log(`PostgreSQL ready at ${maskUrl(url)}`);
      try {
        await serveUntilSignal(opts, { ...process.env, OXY_DATABASE_URL: url }, shutdown);
      } catch (error) {
        // Serving failed: stop the database too, but report why serving failed, not a stop error.
        await database.stop().catch((stopError: Error) => log(`could not stop the database either: ${stopError.message}`));
        throw error;
      }
      await database.stop();
    });
}
