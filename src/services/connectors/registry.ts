import type { Connector } from './connector.js';
import type { DatabaseConfig, DatabaseKind, DuckdbConfig, ServerConfig, SqliteConfig } from './database-config.js';
import { DuckdbConnector } from './duckdb.connector.js';
import { MysqlConnector } from './mysql.connector.js';
import { PostgresConnector } from './postgres.connector.js';
import { SqliteConnector } from './sqlite.connector.js';

type Factory = (config: DatabaseConfig, password: string | undefined) => Connector;

/** The one place a kind of database is wired to its connector (and, later, its introspector). */
export const CONNECTORS: Record<DatabaseKind, Factory> = {
  duckdb: (config) => new DuckdbConnector(config as DuckdbConfig),
  sqlite: (config) => new SqliteConnector(config as SqliteConfig),
  postgres: (config, password) => new PostgresConnector(config as ServerConfig, password),
  mysql: (config, password) => new MysqlConnector(config as ServerConfig, password),
};
