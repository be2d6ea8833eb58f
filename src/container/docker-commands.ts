import { LOCAL_POSTGRES } from './postgres-container.js';

/**
 * Every argument list oxy passes to the `docker` CLI (or Podman's, which takes the same), in one
 * place: test/container/docker-commands.test.ts checks each flag against the real CLI's own
 * `--help`, and the test double in test/fixtures/docker speaks exactly these.
 */
export const dockerCommands = {
  /** Prints the server version; fails when the daemon does not answer. */
  serverVersion: () => ['version', '--format', '{{.Server.Version}}'],
  /** One JSON line per container named exactly `name` (running or not). */
  list: (name: string) => ['ps', '--all', '--filter', `name=^${name}$`, '--format', '{{json .}}'],
  /** The container as JSON: State (Running, ExitCode), Config.Image, HostConfig.PortBindings. */
  inspect: (name: string) => ['container', 'inspect', '--format', '{{json .}}', name],
  run: (port: number) => [
    'run',
    '--detach',
    '--name',
    LOCAL_POSTGRES.container,
    '--label',
    LOCAL_POSTGRES.label,
    // Loopback only: the superuser's password is the well-known `postgres`.
    '--publish',
    `127.0.0.1:${port}:5432`,
    '--volume',
    `${LOCAL_POSTGRES.volume}:${LOCAL_POSTGRES.mountPath}`,
    '--env',
    `PGDATA=${LOCAL_POSTGRES.pgdata}`,
    '--env',
    `POSTGRES_USER=${LOCAL_POSTGRES.user}`,
    '--env',
    `POSTGRES_PASSWORD=${LOCAL_POSTGRES.password}`,
    '--env',
    `POSTGRES_DB=${LOCAL_POSTGRES.database}`,
    LOCAL_POSTGRES.image,
  ],
  start: (name: string) => ['start', name],
  /** Stops with a 10 s grace; never removes anything. */
  stop: (name: string) => ['stop', '-t', '10', name],
  ready: (name: string) => ['exec', name, 'pg_isready', '-U', LOCAL_POSTGRES.user, '-d', LOCAL_POSTGRES.database],
  logs: (name: string) => ['logs', '--tail', '20', name],
  remove: (name: string) => ['rm', name],
  removeVolume: (volume: string) => ['volume', 'rm', volume],
  volumeExists: (volume: string) => ['volume', 'inspect', '--format', '{{.Name}}', volume],
} as const;
