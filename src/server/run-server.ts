import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { openMigratedDatabase, openReadOnlyDatabase } from '../db/open-app-database.js';
import { configErrors } from '../config-errors.js';
import { createAppServices } from '../services/app-services.js';
import { JobWorker } from '../services/jobs/worker.js';
import { buildApp, REDACTED } from './app.js';
import { checkedTlsPair } from './tls-files.js';

export interface ServeOptions {
  port: number;
  host: string;
  readonly: boolean;
  /** With OXY_AUTH=none, serve requests from the network too (else only loopback). */
  allowRemoteNoAuth?: boolean;
  http2Only: boolean;
  tlsCert?: string;
  tlsKey?: string;
  /** false (--no-worker): run no job worker in this process. */
  worker?: boolean;
  /** Jobs this process runs at once (--workers, default 1); 0 runs none. */
  workers?: number;
}

/** Where the server writes: the operator's start-up lines, and the request log (pino's JSON lines). */
export interface ServerOutput {
  log: (line: string) => void;
  logStream: NodeJS.WritableStream;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** The job worker running in this server, if any. */
  worker: JobWorker | undefined;
  /** Stops accepting, finishes in-flight requests, closes the pool. */
  close(): Promise<void>;
}

function transport(options: ServeOptions): Record<string, unknown> {
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) {
    throw configErrors.tlsHalfGiven();
  }
  const read = (file: string, flag: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw configErrors.tlsUnreadable(flag, file, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
    }
  };
  const tls =
    options.tlsCert && options.tlsKey
      ? checkedTlsPair(
          { cert: read(options.tlsCert, '--tls-cert'), key: read(options.tlsKey, '--tls-key') },
          options.tlsCert,
          options.tlsKey,
        )
      : undefined;
  if (options.http2Only) {
    // ALPN offers h2 alone; without TLS it is h2c with prior knowledge. HTTP/1.1 is refused.
    return tls ? { http2: true, https: { ...tls, allowHTTP1: false } } : { http2: true };
  }
  return tls ? { http2: true, https: { ...tls, allowHTTP1: true } } : {};
}

/**
 * Opens and migrates the configured database (or, with --readonly, opens it read-only and checks
 * its schema: nothing is written, start-up included), builds the app and listens. Used by
 * `oxy serve` and `oxy start`.
 */
export async function startServer(config: Config, options: ServeOptions, output: ServerOutput): Promise<RunningServer> {
  const server = transport(options);
  const { database } = options.readonly
    ? await openReadOnlyDatabase(config)
    : await openMigratedDatabase(config, output.log);
  let app: FastifyInstance | undefined;
  let worker: JobWorker | undefined;
  try {
    const services = await createAppServices(config, database, { readonly: options.readonly });
    app = await buildApp(services, {
      readonly: options.readonly,
      allowRemoteNoAuth: Boolean(options.allowRemoteNoAuth) || config.allowRemoteNoAuth,
      server,
      logger: {
        level: config.logLevel,
        redact: REDACTED,
        stream: output.logStream,
      },
    });
    await app.listen({ port: options.port, host: options.host });
    const slots = options.worker === false ? 0 : (options.workers ?? 1);
    // A read-only server writes nothing, so it runs no jobs.
    if (!options.readonly && slots > 0) {
      worker = new JobWorker(services.jobs, services.jobHandlers, { concurrency: slots, log: output.log });
      worker.start();
    }
  } catch (error) {
    await app?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw configErrors.listenPortInUse(options.port, options.host);
    }
    if ((error as NodeJS.ErrnoException).code === 'EACCES') {
      throw configErrors.listenPortDenied(options.port);
    }
    throw error;
  }
  const scheme = options.tlsCert ? 'https' : 'http';
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  const running = app;
  return {
    app: running,
    url: `${scheme}://${shownHost}:${options.port}`,
    worker,
    async close() {
      running.shuttingDown = true;
      // Running jobs get their grace period while in-flight requests finish.
      await Promise.all([worker?.stop(), running.close()]);
      await database.close();
    },
  };
}
