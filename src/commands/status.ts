import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { containerCli, DockerRuntime } from '../container/docker-runtime.js';
import { EmbeddedRuntime } from '../container/embedded-runtime.js';
import { LOCAL_POSTGRES, localPostgresPort, localPostgresUrl } from '../container/postgres-container.js';
import { connectDatabase } from '../db/connect.js';
import { schemaStatus } from '../db/migrator.js';
import { maskUrl, parseDatabaseUrl, type DatabaseTarget } from '../db/url.js';
import { OxyError } from '../errors.js';

type DatabaseFacts = {
    backend: 'sqlite' | 'postgres';
    url: string;
    reachable: boolean;
    error?: string;
    file?: { path: string; exists: boolean; sizeBytes?: number };
    serverVersion?: string;
    schemaVersion?: number;
    latestSchemaVersion?: number;
    pendingMigrations?: string[];
};

export interface StatusReport {
  /** The database oxy serve uses: OXY_DATABASE_URL, else the SQLite default. */
  database: DatabaseFacts;
  /** The PostgreSQL oxy start runs (container or embedded), when one is running and not the configured one. */
  localPostgres?: DatabaseFacts;
  containerRuntime: { cli: string; found: boolean; daemonRunning: boolean; serverVersion?: string; error?: string; hint?: string };
  container: { name: string; status: 'running' | 'stopped' | 'not created' | 'unknown'; image: string; port: number; volume: string; volumeExists?: boolean };
  embedded: { dataDir: string; present: boolean; running: boolean; port: number };
  commands: string[];
}

async function databaseFacts(target: DatabaseTarget): Promise<DatabaseFacts> {
  const facts: DatabaseFacts = { backend: target.backend, url: target.display, reachable: false };
  if (target.backend === 'sqlite') {
    const exists = fs.existsSync(target.path);
    facts.file = { path: target.path, exists, ...(exists ? { sizeBytes: fs.statSync(target.path).size } : {}) };
    if (!exists) {
      facts.error = 'the SQLite file does not exist yet (oxy serve or oxy migrate creates it)';
      return facts;
    }
  }
  try {
    // Read-only: status never creates or migrates anything.
    const db = await connectDatabase(target, { readonly: true, poolSize: 1 });
    try {
      const schema = await schemaStatus(db.db);
      Object.assign(facts, {
        reachable: true,
        serverVersion: await db.dialect.serverVersion(db.db),
        schemaVersion: schema.version,
        latestSchemaVersion: schema.latest,
        pendingMigrations: schema.pending,
      });
    } finally {
      await db.close();
    }
  } catch (error) {
    facts.error = error instanceof Error ? error.message : String(error);
  }
  return facts;
}

/** Gathers every fact `oxy status` shows; touches nothing. */
export async function collectStatus(env: NodeJS.ProcessEnv = process.env): Promise<StatusReport> {
  const config = loadConfig(env);
  const port = localPostgresPort(env);
  const quiet = () => undefined;
  const docker = new DockerRuntime(containerCli(env), port, quiet);
  const runtime: StatusReport['containerRuntime'] = { cli: docker.cli, found: true, daemonRunning: false };
  const container: StatusReport['container'] = { name: LOCAL_POSTGRES.container, status: 'unknown', image: LOCAL_POSTGRES.image, port, volume: LOCAL_POSTGRES.volume };
  try {
    runtime.serverVersion = await docker.check();
    runtime.daemonRunning = true;
    const state = await docker.state();
    container.status = state.status;
    if (state.image) container.image = state.image;
    // The port it was created with, which may not be the one configured now.
    if (state.publishedPort !== undefined) container.port = state.publishedPort;
    container.volumeExists = await docker.volumeExists();
  } catch (error) {
    runtime.found = (error as OxyError).code !== 'docker_missing';
    runtime.error = (error as Error).message;
    if (error instanceof OxyError && error.hint) runtime.hint = error.hint;
  }
  const embeddedState = await new EmbeddedRuntime(config.stateDir, port, quiet).state();
  const database = await databaseFacts(config.database);
  // The running container answers on the port it was created with, whatever is configured now.
  const localUrl = localPostgresUrl(container.status === 'running' ? container.port : (embeddedState.port ?? port));
  const localRunning = container.status === 'running' || embeddedState.running;
  const report: StatusReport = {
    database,
    ...(localRunning && !config.databaseFromEnv ? { localPostgres: await databaseFacts(parseDatabaseUrl(localUrl, 'oxy start')) } : {}),
    containerRuntime: runtime,
    container,
    embedded: { dataDir: embeddedState.dataDir, present: embeddedState.present, running: embeddedState.running, port: embeddedState.port ?? port },
    commands: [],
  };
  report.commands = usefulCommands(report, config);
  return report;
}

function usefulCommands(r: StatusReport, config: Config): string[] {
  const cli = r.containerRuntime.cli;
  const name = LOCAL_POSTGRES.container;
  const out: string[] = [];
  // With OXY_DATABASE_URL set, oxy start serves that database and starts none: say how to get one.
  const start = (rest: string, comment: string) => `${`${config.databaseFromEnv ? 'env -u OXY_DATABASE_URL ' : ''}oxy start${rest}`.padEnd(32)} # ${comment}`;
  if (r.database.pendingMigrations?.length) out.push('oxy migrate                      # apply pending migrations');
  if (r.container.status === 'running') {
    out.push(`${cli} logs -f ${name}`, `${cli} exec -it ${name} psql -U ${LOCAL_POSTGRES.user} -d ${LOCAL_POSTGRES.database}`, `${cli} stop ${name}   # when no oxy start uses it (Ctrl+C there stops it)`);
    out.push(`${cli} exec ${name} pg_dump -U ${LOCAL_POSTGRES.user} -Fc ${LOCAL_POSTGRES.database} > oxy.dump   # backup`);
  } else if (r.container.status === 'stopped') {
    out.push(start('', `start ${name} (data kept in ${LOCAL_POSTGRES.volume}) and serve`), `${cli} logs ${name}`, 'oxy start --clean                # remove the container (and, with --yes, its data)');
  } else if (r.containerRuntime.daemonRunning && !r.embedded.running) {
    out.push(start('', `create ${name} with PostgreSQL 18 and serve`));
  } else if (!r.embedded.present) {
    out.push(start(' --runtime embedded', 'PostgreSQL 18 without Docker'));
  }
  if (r.embedded.running) {
    out.push(`psql -h 127.0.0.1 -p ${r.embedded.port} -U ${LOCAL_POSTGRES.user} ${LOCAL_POSTGRES.database}   # password ${LOCAL_POSTGRES.password}`);
    out.push(`pg_dump -h 127.0.0.1 -p ${r.embedded.port} -U ${LOCAL_POSTGRES.user} -Fc ${LOCAL_POSTGRES.database} > oxy.dump   # backup`);
    out.push('Ctrl+C in the terminal running oxy start stops it (data kept)');
  } else if (r.embedded.present) {
    out.push(start(' --runtime embedded', 'start the embedded PostgreSQL again (data kept) and serve'));
    out.push(`tar czf oxy-postgres-data.tgz -C ${path.dirname(r.embedded.dataDir)} ${path.basename(r.embedded.dataDir)}   # backup`);
  }
  if (r.database.backend === 'sqlite' && r.database.file?.exists) {
    out.push(`sqlite3 ${r.database.file.path} ".backup oxy-backup.sqlite"   # backup`, `PGPASSWORD=${LOCAL_POSTGRES.password} oxy migrate-sqlite --from ${r.database.file.path} --to postgresql://${LOCAL_POSTGRES.user}@localhost:${r.container.port}/${LOCAL_POSTGRES.database} --dry-run   # check a move to the oxy start PostgreSQL`);
  }
  out.push(config.databaseFromEnv ? 'oxy serve' : 'oxy serve                        # on the SQLite default');
  return out;
}

const useColour = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (useColour() ? `\u001b[${code}m${text}\u001b[0m` : text);
const good = (text: string) => paint(32, text);
const bad = (text: string) => paint(31, text);

function databaseRows(db: DatabaseFacts): [string, string][] {
  return [
    ['Backend', db.backend],
    ['URL', db.url],
    ...(db.file ? ([['File', `${db.file.path}${db.file.sizeBytes === undefined ? '' : ` (${(db.file.sizeBytes / 1024).toFixed(0)} KiB)`}`]] as [string, string][]) : []),
    ['Reachable', db.reachable ? good('yes') : bad(`no — ${db.error ?? 'no answer'}`)],
    ...(db.reachable
      ? ([
          ['Server', db.serverVersion ?? ''],
          ['Schema version', `${db.schemaVersion} of ${db.latestSchemaVersion}`],
          ['Pending migrations', db.pendingMigrations?.length ? db.pendingMigrations.join(', ') : 'none'],
        ] as [string, string][])
      : []),
  ];
}

/** The human form: titled sections of aligned `Label: value` lines. */
export function renderStatus(r: StatusReport): string {
  const sections: [string, [string, string][]][] = [
    [
      'Docker Daemon',
      [
        ['CLI', r.containerRuntime.found ? `${r.containerRuntime.cli} (found)` : bad(`${r.containerRuntime.cli} not found`)],
        ['Daemon', r.containerRuntime.daemonRunning ? good(`running (server ${r.containerRuntime.serverVersion})`) : bad(r.containerRuntime.error ?? 'not running')],
        ...(r.containerRuntime.hint ? ([['Fix', r.containerRuntime.hint]] as [string, string][]) : []),
      ],
    ],
    [
      'PostgreSQL Container',
      [
        ['Name', r.container.name],
        ['Status', r.container.status === 'running' ? good('running') : r.container.status],
        ['Image', r.container.image],
        ['Port', `${r.container.port} -> 5432`],
        ['Volume', `${r.container.volume}${r.container.volumeExists === undefined ? '' : r.container.volumeExists ? ' (exists)' : ' (not created)'}`],
      ],
    ],
    [
      'Embedded PostgreSQL',
      [
        ['Data', `${r.embedded.dataDir}${r.embedded.present ? '' : ' (not created)'}`],
        ['Status', r.embedded.running ? good(`running on 127.0.0.1:${r.embedded.port}`) : 'not running'],
      ],
    ],
    ['Database Connection', databaseRows(r.database)],
    ...(r.localPostgres ? ([['Local PostgreSQL (oxy start)', databaseRows(r.localPostgres)]] as [string, [string, string][]][]) : []),
  ];
  const width = Math.max(...sections.flatMap(([, rows]) => rows.map(([label]) => label.length))) + 1;
  const out: string[] = [];
  for (const [title, rows] of sections) {
    out.push(paint(1, title));
    for (const [label, value] of rows) out.push(`  ${`${label}:`.padEnd(width + 1)} ${value}`);
    out.push('');
  }
  out.push(paint(1, 'Useful Commands'), ...r.commands.map((c) => `  ${c}`));
  return out.join('\n');
}

/**
 * True when the database oxy uses answers: the configured one, or, with no OXY_DATABASE_URL, the
 * local PostgreSQL while `oxy start` runs it.
 */
export function databaseAnswers(r: StatusReport): boolean {
  return r.database.reachable || r.localPostgres?.reachable === true;
}

/** `oxy status`: what runs where, and whether the database oxy uses answers (exit 0) or not (1). */
export function statusCommand(): Command {
  return new Command('status')
    .description('show the container runtime, the oxy-postgres container, the embedded PostgreSQL and the configured database')
    .option('--json', 'print the facts as one JSON document', false)
    .action(async (opts: { json: boolean }) => {
      const report = await collectStatus();
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderStatus(report)}\n`);
      if (!databaseAnswers(report)) process.exitCode = 1;
    });
}
