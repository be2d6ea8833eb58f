import { defineConfigError, defineError } from './errors.js';

/**
 * Every error in what the operator configured: environment variables, the state folder, and the
 * flags of `oxy serve` / `oxy start` (TLS files, the address to listen on). The database URL's
 * errors are in db/db-errors.ts, the local PostgreSQL's in container/container-errors.ts.
 */
export const configErrors = {
  stateDirUnwritable: defineConfigError((dir: string, reason: string) => ({
    message: `cannot create the state folder ${dir}: ${reason}`,
    hint: 'set OXY_STATE_DIR to a writable folder',
  })),
  unknownAuthMode: defineConfigError((value: string | undefined) => ({
    message: `OXY_AUTH has an unknown value '${value}'`,
    hint: 'use OXY_AUTH=none (local single user) or OXY_AUTH=password',
  })),
  unknownAllowRemote: defineConfigError((value: string | undefined) => ({
    message: `OXY_ALLOW_REMOTE_NO_AUTH has an unknown value '${value}'`,
    hint: 'use 1 (serve the network without sign-in) or 0; prefer OXY_AUTH=password',
  })),
  unknownLogLevel: defineConfigError((value: string | undefined, levels: readonly string[]) => ({
    message: `OXY_LOG_LEVEL has an unknown value '${value}'`,
    hint: `use one of ${levels.join(', ')}`,
  })),
  emptyDatabaseUrl: defineConfigError(() => ({
    message: 'OXY_DATABASE_URL is set but empty',
    hint: 'unset it (unset OXY_DATABASE_URL) to use the default SQLite file, or set it to a database URL',
  })),
  tlsHalfGiven: defineConfigError(() => ({
    message: '--tls-cert and --tls-key go together',
    hint: 'give both files, or neither',
  })),
  tlsUnreadable: defineConfigError((flag: string, file: string, reason: string) => ({
    message: `cannot read ${flag} ${file}: ${reason}`,
    hint: `check the path given to ${flag}`,
  })),
  listenPortInUse: defineError('port_in_use', (port: number, host: string) => ({
    message: `port ${port} is already in use on ${host}`,
    hint: `pick another with --port ${port + 1}, or find the process using it with: lsof -i :${port}`,
  })),
  listenPortDenied: defineError('port_denied', (port: number) => ({
    message: `not allowed to listen on port ${port}`,
    hint: 'use a port above 1023, e.g. --port 3000',
  })),
};
