import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { openMigratedDatabase } from '../db/open-app-database.js';
import { ConfigError, OxyError } from '../errors.js';
import { createAppServices } from '../services/app-services.js';
import { buildApp, REDACTED } from './app.js';

export interface ServeOptions {
  port: number;
  host: string;
  readonly: boolean;
  http2Only: boolean;
  tlsCert?: string;
  tlsKey?: string;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** Stops accepting, finishes in-flight requests, closes the pool. */
  close(): Promise<void>;
}

function transport(options: ServeOptions): Record<string, unknown> {
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) {
    throw new ConfigError('--tls-cert and --tls-key go together', 'give both files, or neither');
  }
  const read = (file: string, flag: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new ConfigError(`cannot read ${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, `check the path given to ${flag}`);
    }
  };
  const tls = options.tlsCert && options.tlsKey ? { cert: read(options.tlsCert, '--tls-cert'), key: read(options.tlsKey, '--tls-key') } : undefined;
  if (options.http2Only) {
    // ALPN offers h2 alone; without TLS it is h2c with prior knowledge. HTTP/1.1 is refused.
    return tls ? { http2: true, https: { ...tls, allowHTTP1: false } } : { http2: true };
  }
  return tls ? { http2: true, https: { ...tls, allowHTTP1: true } } : {};
}

/**
 * Opens and migrates the configured database, builds the app and listens. Used by `oxy serve`
 * and `oxy start`.
 */
export async function startServer(config: Config, options: ServeOptions, log: (line: string) => void): Promise<RunningServer> {
  const server = transport(options);
  const { database } = await openMigratedDatabase(config, log);
  let app: FastifyInstance | undefined;
  try {
    const services = await createAppServices(config, database);
    app = await buildApp(services, {
      readonly: options.readonly,
      server,
      logger: {
        level: process.env.OXY_LOG_LEVEL ?? 'info',
        redact: REDACTED,
        stream: process.stderr,
      },
    });
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await app?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new OxyError('port_in_use', `port ${options.port} is already in use on ${options.host}`, {
        hint: `pick another with --port ${options.port + 1}, or find the process using it with: lsof -i :${options.port}`,
      });
    }
    if ((error as NodeJS.ErrnoException).code === 'EACCES') {
      throw new OxyError('port_denied', `not allowed to listen on port ${options.port}`, { hint: 'use a port above 1023, e.g. --port 3000' });
    }
    throw error;
  }
  const scheme = options.tlsCert ? 'https' : 'http';
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  const running = app;
  return {
    app: running,
    url: `${scheme}://${shownHost}:${options.port}`,
    async close() {
      running.shuttingDown = true;
      await running.close();
      await database.close();
    },
  };
}

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
