import path from 'node:path';
import type { RowValues } from '../../repositories/entity.repository.js';
import { ConfigError } from '../../errors.js';
import type { QueryResult } from '../connectors/connector.js';
import { ConnectorService } from '../connectors/connector.service.js';
import { validateDatabaseConfig } from '../connectors/database-config.js';
import type { WorkflowDatabases } from '../workflows/run-context.js';
import { fromOxyDatabase } from './oxy-database.js';
import type { ProjectFolder } from './project-folder.js';

/**
 * The databases of an Oxy project folder's config.yml as database rows the connector service
 * runs on (fromOxyDatabase): the connector service reads the `*_var` fields from `env`.
 */
export function projectDatabaseRow(project: ProjectFolder, name: string): RowValues {
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
  const mapped = fromOxyDatabase(project.root, entry);
  if ('refused' in mapped) throw new ConfigError(`${where}: ${mapped.refused}`, 'fix the entry in config.yml');
  const { kind, config } = mapped;
  try {
    validateDatabaseConfig(kind, config);
  } catch (error) {
    throw new ConfigError(`${where}: ${(error as Error).message}`, 'fix the entry in config.yml');
  }
  return { id: `project:${project.root}#${name}`, name, kind, config, updated_at: '' };
}

/** A repository for a connector service that never needs one: project-folder rows hold no password_secret. */
export const NO_APP_DATABASE = new Proxy(
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
    return this.connectors.run(projectDatabaseRow(this.project, database), sql, options.limit, options.signal);
  }

  close(): Promise<void> {
    return this.connectors.closeAll();
  }
}
