import path from 'node:path';
import type { RowValues } from '../../repositories/entity.repository.js';
import { ConfigError } from '../../errors.js';
import type { QueryResult } from '../connectors/connector.js';
import { ConnectorService } from '../connectors/connector.service.js';
import { validateDatabaseConfig } from '../connectors/database-config.js';
import type { WorkflowDatabases } from '../workflows/run-context.js';
import type { ProjectFolder } from './project-folder.js';

/** Oxy's `type` names for the engines oxy reaches (oxy adds sqlite). */
const KINDS: Record<string, string> = { duckdb: 'duckdb', sqlite: 'sqlite', postgres: 'postgres', mysql: 'mysql' };
const SERVER_FIELDS = ['host', 'port', 'user', 'database'];
const PASSTHROUGH = ['ssl', 'timeout_ms', 'row_limit', 'password_var'];

/**
 * The databases of an Oxy project folder's config.yml as database rows the connector service
 * runs on: paths made absolute from the folder, Oxy's `*_var` fields (host_var, port_var,
 * user_var, database_var) read from the environment; passwords only through `password_var`.
 */
export function projectDatabaseRow(
  project: ProjectFolder,
  name: string,
  env: Readonly<Record<string, string | undefined>>,
): RowValues {
  const entry = project.databases.get(name);
  const where = `config.yml: database ${name}`;
  if (!entry) {
    const known = [...project.databases.keys()];
    throw new ConfigError(
      `config.yml has no database ${name}`,
      known.length
        ? `it has: ${known.join(', ')}`
        : `add it under databases: in ${path.join(project.root, 'config.yml')}`,
    );
  }
  const kind = KINDS[String(entry.type)];
  if (!kind)
    throw new ConfigError(
      `${where}: type ${String(entry.type)} is not one oxy reaches`,
      'oxy reaches duckdb, sqlite, postgres and mysql',
    );
  if ('password' in entry)
    throw new ConfigError(
      `${where}: a password is never written in config.yml`,
      'name an environment variable with password_var',
    );
  const config: Record<string, unknown> = {};
  for (const key of ['path', 'dataset']) {
    if (typeof entry[key] === 'string') config[key] = path.resolve(project.root, entry[key]);
  }
  for (const key of SERVER_FIELDS) {
    const fromVar = entry[`${key}_var`];
    if (typeof fromVar === 'string') {
      const value = env[fromVar];
      if (value === undefined)
        throw new ConfigError(
          `${where}: environment variable ${fromVar} (${key}_var) is not set`,
          `export ${fromVar}=…`,
        );
      config[key] = key === 'port' ? Number(value) : value;
    } else if (entry[key] !== undefined) config[key] = entry[key];
  }
  for (const key of PASSTHROUGH) if (entry[key] !== undefined) config[key] = entry[key];
  try {
    validateDatabaseConfig(kind, config);
  } catch (error) {
    throw new ConfigError(`${where}: ${(error as Error).message}`, 'fix the entry in config.yml');
  }
  return { id: `project:${project.root}#${name}`, name, kind, config, updated_at: '' };
}

/** A repository for a connector service that never needs one: project-folder rows hold no password_secret. */
const NO_APP_DATABASE = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error('an Oxy project folder has no application database (password_secret needs one)');
    },
  },
) as never;

/** Workflow databases from a project folder, through the one read-only, capped, timed-out path. */
export class ProjectDatabases implements WorkflowDatabases {
  private readonly connectors: ConnectorService;

  constructor(
    private readonly project: ProjectFolder,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {
    this.connectors = new ConnectorService(NO_APP_DATABASE, NO_APP_DATABASE, env);
  }

  run(database: string, sql: string, options: { limit?: number; signal?: AbortSignal }): Promise<QueryResult> {
    return this.connectors.run(
      projectDatabaseRow(this.project, database, this.env),
      sql,
      options.limit,
      options.signal,
    );
  }

  close(): Promise<void> {
    return this.connectors.closeAll();
  }
}
