import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './errors.js';
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
  /** Base64 key from OXY_ENCRYPTION_KEY, or undefined to use `<state>/encryption_key.txt`. */
  readonly encryptionKeyBase64: string | undefined;
  /** OXY_LOG_LEVEL, default `info`. */
  readonly logLevel: LogLevel;
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
    throw new ConfigError(`cannot create the state folder ${dir}: ${(error as Error).message}`, 'set OXY_STATE_DIR to a writable folder');
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
    throw new ConfigError('OXY_DATABASE_URL is set but empty', 'unset it (unset OXY_DATABASE_URL) to use the default SQLite file, or set it to a database URL');
  }
  const database: DatabaseTarget = rawUrl
    ? parseDatabaseUrl(rawUrl, 'OXY_DATABASE_URL')
    : { backend: 'sqlite', path: defaultSqlitePath(stateDir), display: `sqlite://${defaultSqlitePath(stateDir)}` };
  const auth = (env.OXY_AUTH?.trim() || 'none') as AuthMode;
  if (auth !== 'none' && auth !== 'password') {
    throw new ConfigError(`OXY_AUTH has an unknown value '${env.OXY_AUTH}'`, 'use OXY_AUTH=none (local single user) or OXY_AUTH=password');
  }
  const logLevel = (env.OXY_LOG_LEVEL?.trim() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`OXY_LOG_LEVEL has an unknown value '${env.OXY_LOG_LEVEL}'`, `use one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    stateDir,
    database,
    databaseFromEnv: Boolean(rawUrl),
    auth,
    encryptionKeyBase64: env.OXY_ENCRYPTION_KEY?.trim() || undefined,
    logLevel,
  };
}
