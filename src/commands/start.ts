import readline from 'node:readline/promises';
import { Command, Option } from 'commander';
import { containerCli, ensureStateDir, loadConfig, localPostgresPort } from '../config.js';
import { containerErrors } from '../container/container-errors.js';
import { DockerRuntime } from '../container/docker-runtime.js';
import { EmbeddedRuntime } from '../container/embedded-runtime.js';
import type { LocalPostgresRuntime } from '../container/local-postgres.js';
import { SharedUse } from '../container/shared-use.js';
import { LOCAL_POSTGRES, localPostgresUrl } from '../container/postgres-container.js';
import { maskUrl } from '../db/url.js';
import type { ServeOptions } from '../server/run-server.js';
import { addServeOptions, serveUntilSignal } from './serve.js';
import { exitCodeFor, shutdownDuringStartup } from './shutdown-signals.js';

type Runtime = 'auto' | 'docker' | 'embedded';
interface StartOptions extends ServeOptions {
  runtime: Runtime;
  clean: boolean;
  yes: boolean;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

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
    removed.push(
      ...(await embedded.clean((dataDir) => confirm(`Remove the embedded PostgreSQL data in ${dataDir}?`, yes))),
    );
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
    throw containerErrors.containerInUse();
  }
  const dropVolume =
    (await docker.volumeExists()) &&
    (await confirm(`Remove the volume ${LOCAL_POSTGRES.volume} and all the data in it?`, yes));
  if (!dropVolume) log(`volume ${LOCAL_POSTGRES.volume} kept (pass --yes to remove it too)`);
  return docker.clean(dropVolume);
}

function localRuntime(runtime: Runtime, stateDir: string, port: number): LocalPostgresRuntime {
  return runtime === 'embedded'
    ? new EmbeddedRuntime(stateDir, port, log)
    : new DockerRuntime(containerCli(), port, log);
}

/**
 * Brings the local PostgreSQL up and serves on it until a signal, then stops it. A signal during
 * start-up stops it at once (the shell's exit code); a failure to serve stops it too.
 */
async function startAndServe(opts: StartOptions, stateDir: string, port: number): Promise<void> {
  const { shutdown, startup } = shutdownDuringStartup();
  const database = await localRuntime(opts.runtime, stateDir, port).up(startup);
  if (startup.aborted) {
    await database.stop(`${String(startup.reason)} received during start-up`);
    process.exitCode = exitCodeFor(startup.reason as NodeJS.Signals);
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
}

/**
 * `oxy start`: a local PostgreSQL 18 (Docker/Podman container, or embedded without Docker),
 * migrated and served like `oxy serve`; Ctrl+C stops the server, then the database, keeping data.
 */
export function startCommand(): Command {
  return addServeOptions(
    new Command('start').description(
      'start a local PostgreSQL 18 (container oxy-postgres, or --runtime embedded), migrate it and serve',
    ),
  )
    .addOption(
      new Option(
        '--runtime <runtime>',
        'where PostgreSQL runs: docker (or OXY_CONTAINER_CLI, e.g. podman), embedded (no Docker needed), auto = docker',
      )
        .choices(['auto', 'docker', 'embedded'])
        .default('auto'),
    )
    .option(
      '--clean',
      'remove the container (and, after confirmation or --yes, its volume / the embedded data) instead of starting',
      false,
    )
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
      return startAndServe(opts, config.stateDir, port);
    });
}
