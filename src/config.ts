import os from 'node:os';
import path from 'node:path';
import { containerErrors } from './container/container-errors.js';
import { LOCAL_POSTGRES } from './container/postgres-container.js';
import { configErrors } from './config-errors.js';
import { parseDatabaseUrl, type DatabaseTarget } from './db/url.js';
import { makeDirectory } from './util/make-directory.js';

export type AuthMode = 'none' | 'password';

/** The server log's levels (pino's), quietest last. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** Where oxy keeps its state: the default SQLite file, keys, the embedded PostgreSQL. */
  readonly stateDir: string;
  readonly database: DatabaseTarget;
  /** True when OXY_DATABASE_URL chose the database (so `oxy start` runs no container). */
  readonly databaseFromEnv: boolean;
  readonly auth: AuthMode;
  /** OXY_ALLOW_REMOTE_NO_AUTH=1: with OXY_AUTH=none, requests from the network act as the owner too. */
  readonly allowRemoteNoAuth: boolean;
  /** Base64 key from OXY_ENCRYPTION_KEY, or undefined to use `<state>/encryption_key.txt`. */
  readonly encryptionKeyBase64: string | undefined;
  /** OXY_LOG_LEVEL, default `info`. */
  readonly logLevel: LogLevel;
  /** The environment oxy runs in, where a database's `password_var` is looked up (Oxy's convention). */
  readonly environment: Readonly<Record<string, string | undefined>>;
}

/**
 * The state folder: OXY_STATE_DIR, else $XDG_DATA_HOME/oxy, else ~/.local/share/oxy.
 */
export function resolveStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OXY_STATE_DIR) return path.resolve(env.OXY_STATE_DIR);
  if (env.XDG_DATA_HOME) return path.join(path.resolve(env.XDG_DATA_HOME), 'oxy');
  return path.join(os.homedir(), '.local', 'share', 'oxy');
}

/** Creates the state folder (owner-only) if it is missing. */
export function ensureStateDir(dir: string): string {
  try {
    makeDirectory(dir, 0o700);
  } catch (error) {
    throw configErrors.stateDirUnwritable(dir, (error as Error).message);
  }
  return dir;
}

/** The default SQLite file inside a state folder. */
export function defaultSqlitePath(stateDir: string): string {
  return path.join(stateDir, 'db.sqlite');
}

/**
 * Resolves environment variables into one typed Config. Pure apart from reading `env`.
 *
 * @example
 * const config = loadConfig(process.env); // config.database.backend === 'sqlite' by default
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const stateDir = resolveStateDir(env);
  const rawUrl = env.OXY_DATABASE_URL?.trim();
  if (rawUrl === '') {
    throw configErrors.emptyDatabaseUrl();
  }
  const database: DatabaseTarget = rawUrl
    ? parseDatabaseUrl(rawUrl, 'OXY_DATABASE_URL')
    : { backend: 'sqlite', path: defaultSqlitePath(stateDir), display: `sqlite://${defaultSqlitePath(stateDir)}` };
  const auth = (env.OXY_AUTH?.trim() || 'none') as AuthMode;
  if (auth !== 'none' && auth !== 'password') {
    throw configErrors.unknownAuthMode(env.OXY_AUTH);
  }
  const allowRemote = env.OXY_ALLOW_REMOTE_NO_AUTH?.trim().toLowerCase() ?? '';
  if (!['', '0', 'false', '1', 'true'].includes(allowRemote)) {
    throw configErrors.unknownAllowRemote(env.OXY_ALLOW_REMOTE_NO_AUTH);
  }
  const logLevel = (env.OXY_LOG_LEVEL?.trim() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw configErrors.unknownLogLevel(env.OXY_LOG_LEVEL, LOG_LEVELS);
  }
  return {
    stateDir,
    database,
    databaseFromEnv: Boolean(rawUrl),
    auth,
    allowRemoteNoAuth: allowRemote === '1' || allowRemote === 'true',
    encryptionKeyBase64: env.OXY_ENCRYPTION_KEY?.trim() || undefined,
    logLevel,
    environment: env,
  };
}

/** The port `oxy start` uses: 15432, or OXY_POSTGRES_PORT (for a second installation or tests). */
export function localPostgresPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.OXY_POSTGRES_PORT?.trim();
  if (!raw) return LOCAL_POSTGRES.port;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) throw containerErrors.invalidPort(raw);
  return port;
}

/** The container CLI `oxy start` and `oxy status` drive: `docker`, or OXY_CONTAINER_CLI (e.g. `podman`). */
export function containerCli(env: NodeJS.ProcessEnv = process.env): string {
  return env.OXY_CONTAINER_CLI?.trim() || 'docker';
}
