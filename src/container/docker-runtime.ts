import { setTimeout as sleep } from 'node:timers/promises';
import { connectDatabase } from '../db/connect.js';
import { parseDatabaseUrl } from '../db/url.js';
import { OxyError, type ErrorEntry } from '../errors.js';
import { containerErrors } from './container-errors.js';
import { dockerCommands } from './docker-commands.js';
import { portInUse } from './port-check.js';
import { runInOwnGroup } from './process-group.js';
import { because, type LocalPostgresRuntime, type RunningPostgres } from './local-postgres.js';
import { LOCAL_POSTGRES, localPostgresUrl } from './postgres-container.js';
import { SharedUse } from './shared-use.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ContainerState {
  exists: boolean;
  running: boolean;
  status: 'running' | 'stopped' | 'not created';
  exitCode?: number;
  image?: string;
  /** The host port PostgreSQL (5432/tcp) is published on, running or not. */
  publishedPort?: number;
  /** Created by oxy (it carries oxy's label), not merely named oxy-postgres. */
  managed?: boolean;
}

/** The part of `docker container inspect` oxy reads (Podman prints the same fields). */
interface InspectedContainer {
  State?: { Running?: boolean; ExitCode?: number };
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  HostConfig?: { PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null };
}

/**
 * Drives the local PostgreSQL container through the `docker` CLI (OXY_CONTAINER_CLI, e.g.
 * `podman`, takes its place), so Docker Desktop, Podman, OrbStack, Colima and Rancher Desktop
 * all work. Only the argument lists in docker-commands.ts are ever passed.
 */
export class DockerRuntime implements LocalPostgresRuntime {
  constructor(
    readonly cli: string,
    readonly port: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Runs the CLI in its own process group; quick questions (ps, inspect, logs) get 15 s, so a hung daemon cannot stall oxy status for minutes. */
  async run(args: readonly string[], timeoutMs = 15_000): Promise<CliResult> {
    try {
      const { code, stdout, stderr } = await runInOwnGroup(this.cli, args, { timeoutMs });
      return { code, stdout, stderr };
    } catch (error) {
      throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? containerErrors.dockerMissing(this.cli) : error;
    }
  }

  /** The CLI exists and its daemon answers; returns the server version. */
  async check(): Promise<string> {
    const result = await this.run(dockerCommands.serverVersion(), 15_000);
    if (result.code !== 0 && /permission denied/i.test(result.stderr)) throw containerErrors.dockerPermission(this.cli);
    if (result.code !== 0) throw containerErrors.dockerDaemonDown(result.stderr);
    return result.stdout.trim();
  }

  async state(): Promise<ContainerState> {
    const listed = await this.run(dockerCommands.list(LOCAL_POSTGRES.container));
    const line = listed.stdout.split('\n').find((l) => l.trim());
    if (listed.code !== 0 || !line) return { exists: false, running: false, status: 'not created' };
    const row = JSON.parse(line) as { State?: string; Image?: string };
    const inspected = await this.run(dockerCommands.inspect(LOCAL_POSTGRES.container));
    const details = inspected.code === 0 ? (JSON.parse(inspected.stdout) as InspectedContainer) : {};
    const running = details.State?.Running ?? row.State === 'running';
    const hostPort = Number(details.HostConfig?.PortBindings?.['5432/tcp']?.[0]?.HostPort);
    const image = details.Config?.Image ?? row.Image;
    return {
      exists: true,
      running,
      status: running ? 'running' : 'stopped',
      ...(details.State?.ExitCode === undefined ? {} : { exitCode: details.State.ExitCode }),
      ...(image ? { image } : {}),
      ...(Number.isInteger(hostPort) && hostPort > 0 ? { publishedPort: hostPort } : {}),
      ...(details.Config ? { managed: labelled(details.Config.Labels) } : {}),
    };
  }

  /**
   * Creates or starts oxy-postgres and waits until it is ready. Every `oxy start` serving it holds
   * a share of it (shared-use.ts): the container is stopped by the last one to leave, if an
   * `oxy start` started it; one that was running before any (started by hand) is left running.
   */
  async up(abort: AbortSignal): Promise<RunningPostgres> {
    await this.check();
    const name = LOCAL_POSTGRES.container;
    for (let attempt = 1; ; attempt++) {
      const startedHere = (await this.ensureStarted()) !== 'already running';
      let use: SharedUse;
      try {
        await this.waitReady(30_000, abort);
        if (abort.aborted) {
          return {
            stop: async (reason) =>
              startedHere ? this.stopLogged(reason) : this.log(because(reason, `leaving container ${name} running`)),
          };
        }
        use = await SharedUse.join(localPostgresUrl(this.port), startedHere);
      } catch (error) {
        if (startedHere) {
          await this.stop().catch(() => undefined);
          throw this.asOxyError(error);
        }
        // It was running when this oxy start came: the last other one may have stopped it as it left.
        if (attempt < 3 && !(await this.state()).running) {
          this.log(`container ${name} stopped as another oxy start left: starting it again`);
          continue;
        }
        throw this.asOxyError(error);
      }
      if (!startedHere) {
        this.log(
          use.managed
            ? `container ${name} is already running for another oxy start: sharing it; the last oxy start to exit stops it`
            : `container ${name} is already running (not started by oxy start): using it, and leaving it running on exit`,
        );
      }
      return {
        stop: async (reason) => {
          const { verdict, done } = await use.leave();
          try {
            if (verdict === 'stop') return await this.stopLogged(reason);
            this.log(
              because(
                reason,
                `leaving container ${name} running (${verdict === 'others' ? 'another oxy start still uses it' : 'oxy start did not start it'})`,
              ),
            );
          } finally {
            await done();
          }
        },
      };
    }
  }

  /** A failure to reach the container's PostgreSQL, as one line with a fix (pg's own errors are not). */
  private asOxyError(error: unknown): OxyError {
    if (error instanceof OxyError) return error;
    return containerErrors.containerUnreachable(this.cli, (error as Error).message);
  }

  private async stopLogged(reason?: string): Promise<void> {
    this.log(
      because(reason, `stopping container ${LOCAL_POSTGRES.container} (data kept in volume ${LOCAL_POSTGRES.volume})`),
    );
    await this.stop();
  }

  /** Creates the container, or starts it if it exists and is stopped (never recreates it). */
  async ensureStarted(): Promise<'created' | 'started' | 'already running'> {
    const current = await this.state();
    if (current.publishedPort !== undefined && current.publishedPort !== this.port)
      throw containerErrors.containerPortMismatch(current.publishedPort, this.port);
    if (current.running) return 'already running';
    if (await portInUse(this.port)) throw containerErrors.portTaken(this.port, current.exists);
    const args = current.exists ? dockerCommands.start(LOCAL_POSTGRES.container) : dockerCommands.run(this.port);
    this.log(
      current.exists
        ? `starting container ${LOCAL_POSTGRES.container}`
        : `creating container ${LOCAL_POSTGRES.container} (${LOCAL_POSTGRES.image}, volume ${LOCAL_POSTGRES.volume}, port ${this.port})`,
    );
    const result = await this.run(args, 300_000);
    if (result.code !== 0) {
      if (/port is already allocated|address already in use/i.test(result.stderr))
        throw containerErrors.portTaken(this.port, current.exists);
      throw containerErrors.containerFailed(this.cli, args[0]!, errorLine(result.stderr));
    }
    return current.exists ? 'started' : 'created';
  }

  /**
   * Polls `pg_isready` inside the container with backoff, then proves a real connection from oxy;
   * fails after `timeoutMs` or as soon as the container exits, with its last log lines.
   * Returns early, without error, once `abort` fires (Ctrl+C while waiting).
   */
  async waitReady(timeoutMs = 30_000, abort?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let delay = 250;
    for (;;) {
      if (abort?.aborted) return;
      // No single poll may carry the wait past its bound (a hung CLI would otherwise add 10 s).
      const ready = await this.run(
        dockerCommands.ready(LOCAL_POSTGRES.container),
        Math.min(10_000, Math.max(1_000, deadline - Date.now())),
      );
      if (ready.code === 0) {
        try {
          const db = await connectDatabase(parseDatabaseUrl(localPostgresUrl(this.port), 'oxy start'));
          await db.close();
          return;
        } catch (error) {
          // Not yet through the published port: keep polling. A refusal, though, is for good.
          const refusal = this.refusal(error);
          if (refusal) throw refusal;
        }
      }
      const state = await this.state();
      if (!state.running)
        throw await this.failure(
          `the ${LOCAL_POSTGRES.container} container exited${state.exitCode === undefined ? '' : ` (code ${state.exitCode})`}`,
        );
      if (Date.now() + delay > deadline)
        throw await this.failure(`PostgreSQL in ${LOCAL_POSTGRES.container} was not ready after ${timeoutMs / 1000} s`);
      await sleep(delay, undefined, abort ? { signal: abort } : {}).catch(() => undefined);
      delay = Math.min(delay * 2, 2000);
    }
  }

  /**
   * The answers that polling cannot change: a volume initialised with another password (the
   * image sets it only on first start), or without the oxy database.
   */
  private refusal(error: unknown): OxyError | undefined {
    const code = ((error as { cause?: { code?: unknown } }).cause?.code ?? (error as { code?: unknown }).code) as
      string | undefined;
    if (code === '28P01' || code === '28000') return containerErrors.containerCredentials();
    if (code === '3D000') return containerErrors.containerNoDatabase(this.cli);
    return undefined;
  }

  private async failure(message: string): Promise<OxyError> {
    const logs = await this.run(dockerCommands.logs(LOCAL_POSTGRES.container));
    const lines = `${logs.stdout}${logs.stderr}`.trim();
    if (lines)
      this.log(
        `last log lines of ${LOCAL_POSTGRES.container}:\n${lines
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n')}`,
      );
    return containerErrors.containerNotReady(this.cli, message);
  }

  async stop(): Promise<void> {
    await this.mustRun(dockerCommands.stop(LOCAL_POSTGRES.container), containerErrors.containerStopFailed);
  }

  /** Removes the container and, if asked, its volume (the data). */
  async clean(removeVolume: boolean): Promise<string[]> {
    const removed: string[] = [];
    const state = await this.state();
    if (state.managed === false) throw containerErrors.containerForeign(this.cli);
    if (state.running) await this.stop();
    if (state.exists) {
      await this.mustRun(dockerCommands.remove(LOCAL_POSTGRES.container), containerErrors.containerRemoveFailed);
      removed.push(`container ${LOCAL_POSTGRES.container}`);
    }
    if (removeVolume && (await this.volumeExists())) {
      await this.mustRun(dockerCommands.removeVolume(LOCAL_POSTGRES.volume), containerErrors.volumeRemoveFailed);
      removed.push(`volume ${LOCAL_POSTGRES.volume}`);
    }
    return removed;
  }

  /** Runs a step that must succeed; a failure is `failed`, with the CLI's own error line. */
  private async mustRun(args: readonly string[], failed: ErrorEntry<[cli: string, errorLine: string]>): Promise<void> {
    const result = await this.run(args, 30_000);
    if (result.code !== 0) throw failed(this.cli, errorLine(result.stderr));
  }

  async volumeExists(): Promise<boolean> {
    return (await this.run(dockerCommands.volumeExists(LOCAL_POSTGRES.volume))).code === 0;
  }
}

function labelled(labels: Record<string, string> | null | undefined): boolean {
  const [key, value] = LOCAL_POSTGRES.label.split('=') as [string, string];
  return labels?.[key] === value;
}

/**
 * The line of a docker CLI's stderr that says what went wrong: the daemon's own `Error response
 * from daemon` (`docker start` ends with a generic `Error: failed to start containers`), else the
 * last `Error…` line, else the last line (pulls print progress first).
 */
export function errorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = (pattern: RegExp) => [...lines].reverse().find((l) => pattern.test(l));
  return last(/error response from daemon/i) ?? last(/error/i) ?? lines.at(-1) ?? 'no output';
}
