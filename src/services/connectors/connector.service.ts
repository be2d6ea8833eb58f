import type { EntityRepository, RowValues } from '../../repositories/entity.repository.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { SecretsService } from '../secrets.service.js';
import type { CatalogSnapshot } from './catalog-snapshot.js';
import {
  DEFAULT_ROW_LIMIT,
  DEFAULT_TIMEOUT_MS,
  type Connector,
  type QueryResult,
  type ResultStream,
} from './connector.js';
import { connectorErrors, oneLine } from './connector-errors.js';
import { resolveServerVars, validateDatabaseConfig, type DatabaseKind, type ServerConfig } from './database-config.js';
import { CONNECTORS } from './registry.js';
import { checkStatement } from './statement-guard.js';

export type TestOutcome = { ok: true; serverVersion: string; latencyMs: number } | { ok: false; error: string };

interface Pooled {
  connector: Connector;
  password: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one way oxy reaches user data: a connector (pool) per database row, opened on first use and
 * closed when the row changes, is deleted, or the process shuts down; every statement checked by
 * the statement guard, then run read-only, capped and timed out by its engine.
 */
export class ConnectorService {
  /** Per database row: what its connector was opened for, and the connector (being) opened. */
  private readonly pools = new Map<string, { fingerprint: string; pooled: Promise<Pooled> }>();

  constructor(
    private readonly repo: EntityRepository,
    private readonly secrets: SecretsService,
    /** Where `password_var` names are looked up (the environment oxy runs in). */
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  /** Connects and asks the server's version; any failure is `{ok:false}` with the reason in one line. */
  async test(databaseId: string): Promise<TestOutcome> {
    const row = await this.repo.get('databases', databaseId);
    let password: string | undefined;
    try {
      const pooled = await this.pooled(row);
      password = pooled.password;
      return await pooled.connector.test();
    } catch (error) {
      await this.forget(databaseId);
      return { ok: false, error: mask(oneLine((error as Error).message ?? String(error)), password) };
    }
  }

  /** Runs `sql` on a database of the project, named by id or by name. */
  async runInProject(
    projectId: string,
    database: string,
    sql: string,
    limit?: number,
    signal?: AbortSignal,
  ): Promise<QueryResult> {
    await this.repo.get('projects', projectId);
    const row = await this.findInProject(projectId, database);
    return this.run(row, sql, limit, signal);
  }

  /** Streams `sql`'s every row (no cap) from a database of the project, named by id or by name. */
  async streamInProject(projectId: string, database: string, sql: string, signal?: AbortSignal): Promise<ResultStream> {
    await this.repo.get('projects', projectId);
    const row = await this.findInProject(projectId, database);
    return this.stream(row, sql, signal);
  }

  /**
   * A database row named by id, or by name (within `project`, itself an id or a name, when given):
   * for the CLI, where there is no project in the path.
   */
  async findDatabase(database: string, project?: string): Promise<RowValues> {
    if (UUID.test(database)) {
      const row = await this.repo.findBy('databases', { id: database });
      if (row) return row;
    }
    let where: RowValues = { name: database };
    if (project !== undefined) {
      const projects = await this.named('projects', project);
      if (projects.length === 0) throw new NotFoundError(`no project ${JSON.stringify(project)}`);
      if (projects.length > 1) throw connectorErrors.ambiguous('project', project);
      where = { ...where, project_id: projects[0]!.id };
    }
    const rows = (await this.repo.list('databases', { where, limit: 2 })).items;
    if (rows.length === 0) throw new NotFoundError(`no database ${JSON.stringify(database)}`);
    if (rows.length > 1) throw connectorErrors.ambiguous('database', database);
    return rows[0]!;
  }

  /** Runs a saved query on its database; with `projectId`, a query of another project is as missing as none. */
  async runSavedQuery(queryId: string, limit?: number, projectId?: string, signal?: AbortSignal): Promise<QueryResult> {
    const { query, database } = await this.savedQuery(queryId, projectId);
    return this.run(database, String(query.sql), limit, signal);
  }

  /** Streams a saved query's every row (no cap), with the query's name (for a file name). */
  async streamSavedQuery(queryId: string, signal?: AbortSignal): Promise<{ name: string; stream: ResultStream }> {
    const { query, database } = await this.savedQuery(queryId);
    return { name: String(query.name), stream: await this.stream(database, String(query.sql), signal) };
  }

  /**
   * Streams `sql`'s every row from a database row: refused unless it is one read-only statement,
   * like `run`; resolves once the statement ran and its columns are known, so the errors of the
   * statement itself are thrown here, before anything was sent. The database's timeout bounds
   * the wait for each batch, not the whole stream; `signal` cancels the statement on the server.
   */
  async stream(row: RowValues, sql: string, signal?: AbortSignal): Promise<ResultStream> {
    const kind = row.kind as DatabaseKind;
    const verdict = checkStatement(sql, kind);
    if (!verdict.ok) throw connectorErrors.refused(verdict.reason);
    const config = validateDatabaseConfig(kind, row.config) as { timeout_ms?: number };
    const { connector, password } = await this.pooled(row).catch((error: unknown) => {
      throw connectorErrors.unreachable(String(row.name), (error as Error).message);
    });
    try {
      return await connector.stream(sql, {
        timeoutMs: config.timeout_ms ?? DEFAULT_TIMEOUT_MS,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw this.asSqlError(error, row, password);
    }
  }

  /** A saved query and its database row; with `projectId`, a query of another project is as missing as none. */
  private async savedQuery(queryId: string, projectId?: string): Promise<{ query: RowValues; database: RowValues }> {
    const query = await this.repo.get('queries', queryId);
    if (projectId !== undefined && query.project_id !== projectId)
      throw new NotFoundError(`queries ${queryId} not found`);
    if (query.database_id === null || query.database_id === undefined)
      throw new ValidationError(`query ${queryId} has no database_id`, [
        { field: 'database_id', message: 'set the database the query runs on' },
      ]);
    return { query, database: await this.repo.get('databases', String(query.database_id)) };
  }

  /** A connector's error as the caller should see it: the SQL errors as they are, anything else as unreachable. */
  private asSqlError(error: unknown, row: RowValues, password: string | undefined): Error {
    if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('sql_'))
      return error;
    return connectorErrors.unreachable(String(row.name), mask((error as Error).message ?? String(error), password));
  }

  /** Runs `sql` on a database row: refused unless it is one read-only statement. */
  async run(row: RowValues, sql: string, limit?: number, signal?: AbortSignal): Promise<QueryResult> {
    const kind = row.kind as DatabaseKind;
    const verdict = checkStatement(sql, kind);
    if (!verdict.ok) throw connectorErrors.refused(verdict.reason);
    const config = validateDatabaseConfig(kind, row.config) as { timeout_ms?: number; row_limit?: number };
    const { connector, password } = await this.pooled(row).catch((error: unknown) => {
      throw connectorErrors.unreachable(String(row.name), (error as Error).message);
    });
    try {
      return await connector.run(sql, {
        limit: limit ?? config.row_limit ?? DEFAULT_ROW_LIMIT,
        timeoutMs: config.timeout_ms ?? DEFAULT_TIMEOUT_MS,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw this.asSqlError(error, row, password);
    }
  }

  /** Reads the catalog of a database row, read-only and timed out like `run` (the row's timeout_ms). */
  async catalog(row: RowValues, signal?: AbortSignal): Promise<CatalogSnapshot> {
    const config = validateDatabaseConfig(row.kind as DatabaseKind, row.config) as { timeout_ms?: number };
    let password: string | undefined;
    try {
      const pooled = await this.pooled(row);
      password = pooled.password;
      return await pooled.connector.catalog({
        timeoutMs: config.timeout_ms ?? DEFAULT_TIMEOUT_MS,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('sql_'))
        throw error;
      throw connectorErrors.unreachable(String(row.name), mask((error as Error).message ?? String(error), password));
    }
  }

  /** Closes the pool of a database row (changed or deleted). */
  async forget(databaseId: string): Promise<void> {
    const entry = this.pools.get(databaseId);
    this.pools.delete(databaseId);
    const pooled = await entry?.pooled.catch(() => undefined);
    await pooled?.connector.close().catch(() => undefined);
  }

  /** Closes every pool (shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.pools.keys()].map((id) => this.forget(id)));
  }

  private async named(table: 'projects', key: string): Promise<RowValues[]> {
    const byId = UUID.test(key) ? await this.repo.findBy(table, { id: key }) : undefined;
    return byId ? [byId] : (await this.repo.list(table, { where: { name: key }, limit: 2 })).items;
  }

  private async findInProject(projectId: string, database: string): Promise<RowValues> {
    const byId = UUID.test(database)
      ? await this.repo.findBy('databases', { id: database, project_id: projectId })
      : undefined;
    const row = byId ?? (await this.repo.findBy('databases', { project_id: projectId, name: database }));
    if (!row) throw new NotFoundError(`no database ${JSON.stringify(database)} in project ${projectId}`);
    return row;
  }

  /** The row's connector: one per row (concurrent first uses share it), reopened when the row changed. */
  private async pooled(row: RowValues): Promise<Pooled> {
    const id = String(row.id);
    const fingerprint = JSON.stringify([row.kind, row.config, row.updated_at]);
    const current = this.pools.get(id);
    if (current?.fingerprint === fingerprint) return current.pooled;
    if (current) await this.forget(id);
    const pooled = this.open(row);
    this.pools.set(id, { fingerprint, pooled });
    pooled.catch(() => {
      if (this.pools.get(id)?.pooled === pooled) this.pools.delete(id);
    });
    return pooled;
  }

  private async open(row: RowValues): Promise<Pooled> {
    const kind = row.kind as DatabaseKind;
    const stored = validateDatabaseConfig(kind, row.config);
    const config =
      kind === 'postgres' || kind === 'mysql' ? resolveServerVars(stored as ServerConfig, this.env) : stored;
    const password = await this.password(row, config as ServerConfig);
    return { connector: CONNECTORS[kind](config, password), password };
  }

  private async password(row: RowValues, config: ServerConfig): Promise<string | undefined> {
    if (config.password_var !== undefined) {
      const value = this.env[config.password_var];
      if (value === undefined)
        throw connectorErrors.passwordMissing(`environment variable ${config.password_var} is not set`);
      return value;
    }
    if (config.password_secret !== undefined) {
      const project = await this.repo.get('projects', String(row.project_id));
      const secret = await this.repo.findBy('secrets', {
        workspace_id: project.workspace_id,
        name: config.password_secret,
      });
      if (!secret) throw connectorErrors.passwordMissing(`no secret ${config.password_secret} in the workspace`);
      return this.secrets.reveal(String(secret.id));
    }
    return undefined;
  }
}

/** The message with the password (if any) replaced by ***. */
function mask(message: string, password: string | undefined): string {
  return password ? message.split(password).join('***') : message;
}
