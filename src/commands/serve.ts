import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config.js';
import { describeAccess } from '../server/access-summary.js';
import { defaultWebRoot } from '../server/web-app.js';
import { startServer, type ServeOptions } from '../server/run-server.js';
import { countParser } from './count-option.js';
import { waitForShutdownSignal } from './shutdown-signals.js';
import { describeWorker } from './worker.js';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`'${value}' is not a port number (0-65535).`);
  return port;
}

/** The flags `oxy serve` and `oxy start` share. */
export function addServeOptions(command: Command): Command {
  return command
    .addOption(new Option('-p, --port <port>', 'port to listen on').default(3000).argParser(parsePort).env('OXY_PORT'))
    .addOption(new Option('-H, --host <host>', 'address to listen on').default('0.0.0.0').env('OXY_HOST'))
    .option(
      '--readonly',
      'write nothing: no migration at start-up, every request that would change data refused (403 read_only)',
      false,
    )
    .option(
      '--allow-remote-no-auth',
      'with OXY_AUTH=none, let requests from the network act as the owner too (else loopback only; also OXY_ALLOW_REMOTE_NO_AUTH=1)',
      false,
    )
    .option('--http2-only', 'serve HTTP/2 only: h2 over TLS with --tls-cert/--tls-key, else cleartext h2c', false)
    .option('--tls-cert <file>', 'TLS certificate (PEM) for HTTPS')
    .option('--tls-key <file>', 'TLS private key (PEM) for HTTPS')
    .addOption(
      new Option('--workers <n>', 'jobs this server runs at once (catalog syncs, workflow runs)')
        .default(1)
        .argParser(countParser(0)),
    )
    .option('--no-worker', 'run no jobs in this process (leave them to `oxy worker` processes)');
}

/**
 * Serves until SIGINT/SIGTERM, then shuts down gracefully (in-flight requests finish). `shutdown`
 * lets a caller that listens for the signal earlier (oxy start) hand it over.
 */
export async function serveUntilSignal(
  options: ServeOptions,
  env: NodeJS.ProcessEnv = process.env,
  shutdown: Promise<NodeJS.Signals> = waitForShutdownSignal(),
): Promise<void> {
  const config = loadConfig(env);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const server = await startServer(config, options, { log, logStream: process.stderr });
  log(
    `oxy ${options.readonly ? '(read-only) ' : ''}listening on ${server.url} — database ${config.database.backend} ${config.database.display}`,
  );
  log(
    fs.existsSync(path.join(defaultWebRoot(), 'index.html'))
      ? `web app: open ${server.url} in a browser`
      : `no web app: ${defaultWebRoot()} is not built (run npm run build); the API answers under ${server.url}/api`,
  );
  if (server.worker) log(describeWorker(server.worker));
  log(describeAccess(config.auth, options.host, Boolean(options.allowRemoteNoAuth) || config.allowRemoteNoAuth));
  const signal = await shutdown;
  log(`${signal} received: finishing in-flight requests and shutting down`);
  await server.close();
}

/** `oxy serve`: the web server and API on the configured database. */
export function serveCommand(): Command {
  return addServeOptions(
    new Command('serve').description('run the oxy web server and API (migrates the database first)'),
  ).action(async (opts: ServeOptions) => {
    await serveUntilSignal(opts);
  });
}
