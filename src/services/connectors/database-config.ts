import path from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DATABASE_KINDS } from '../../db/entities.js';
import { ValidationError } from '../../errors.js';

export type DatabaseKind = (typeof DATABASE_KINDS)[number];

const timeout = Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000, description: 'statement timeout, ms' }));
const rowLimit = Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'default row cap' }));
const secretName = Type.String({ minLength: 1, maxLength: 200 });
const envName = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 200 });

/** A server reached over the network; the password is a reference, never the value. */
const server = {
  host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  user: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  database: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  // Oxy's `*_var` fields: the value is read from this environment variable when connecting.
  host_var: Type.Optional(envName),
  port_var: Type.Optional(envName),
  user_var: Type.Optional(envName),
  database_var: Type.Optional(envName),
  password_secret: Type.Optional(secretName),
  password_var: Type.Optional(envName),
  ssl: Type.Optional(Type.Boolean()),
  timeout_ms: timeout,
  row_limit: rowLimit,
};

/** One schema per kind; unknown fields (a clear `password`) are refused. */
export const CONFIG_SCHEMAS = {
  duckdb: Type.Object(
    {
      path: Type.Optional(Type.String({ minLength: 1, description: 'a .duckdb file, opened read-only' })),
      dataset: Type.Optional(Type.String({ minLength: 1, description: 'a folder of CSV/Parquet files' })),
      timeout_ms: timeout,
      row_limit: rowLimit,
    },
    { additionalProperties: false },
  ),
  sqlite: Type.Object(
    { path: Type.String({ minLength: 1 }), timeout_ms: timeout, row_limit: rowLimit },
    { additionalProperties: false },
  ),
  postgres: Type.Object(server, { additionalProperties: false }),
  mysql: Type.Object(server, { additionalProperties: false }),
} satisfies Record<DatabaseKind, TSchema>;

export type DuckdbConfig = Static<typeof CONFIG_SCHEMAS.duckdb>;
export type SqliteConfig = Static<typeof CONFIG_SCHEMAS.sqlite>;
export type ServerConfig = Static<typeof CONFIG_SCHEMAS.postgres>;
export type DatabaseConfig = DuckdbConfig | SqliteConfig | ServerConfig;

/**
 * The config of a database row checked against its kind's schema: a ValidationError (400) naming
 * the first bad field otherwise.
 */
export function validateDatabaseConfig(kind: string, config: unknown): DatabaseConfig {
  const schema = CONFIG_SCHEMAS[kind as DatabaseKind];
  if (!schema) throw fieldError('kind', `must be one of ${DATABASE_KINDS.join(', ')}`);
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    throw fieldError('config', 'must be an object');
  const record = config as Record<string, unknown>;
  if ('password' in record)
    throw fieldError(
      'config.password',
      'is never stored: name an oxy secret (password_secret) or an environment variable (password_var)',
    );
  const error = Value.Errors(schema, config).First();
  if (error) {
    const field = error.path.replace(/^\//, '').replace(/\//g, '.');
    const extra = error.schema && error.path === '' ? unknownField(schema, record) : undefined;
    throw fieldError(
      extra ? `config.${extra}` : `config${field ? `.${field}` : ''}`,
      extra ? 'is not a field of ' + kind : error.message.toLowerCase(),
    );
  }
  if (record.password_secret !== undefined && record.password_var !== undefined)
    throw fieldError('config.password_var', 'give password_secret or password_var, not both');
  if (kind === 'postgres' || kind === 'mysql') {
    for (const key of ['host', 'user', 'port', 'database']) {
      const both = record[key] !== undefined && record[`${key}_var`] !== undefined;
      if (both) throw fieldError(`config.${key}_var`, `give ${key} or ${key}_var, not both`);
      const needed = key === 'host' || key === 'user';
      if (needed && record[key] === undefined && record[`${key}_var`] === undefined)
        throw fieldError(`config.${key}`, `is required (or ${key}_var, an environment variable holding it)`);
    }
  }
  if (kind === 'duckdb' && (record.path === undefined) === (record.dataset === undefined))
    throw fieldError(
      'config.path',
      'a duckdb database needs exactly one of path (a .duckdb file) or dataset (a folder)',
    );
  for (const key of ['path', 'dataset'])
    if (typeof record[key] === 'string' && !path.isAbsolute(record[key]))
      throw fieldError(`config.${key}`, 'must be an absolute path');
  return config as DatabaseConfig;
}

function unknownField(schema: TSchema, record: Record<string, unknown>): string | undefined {
  const known = Object.keys((schema as unknown as { properties: object }).properties);
  return Object.keys(record).find((key) => !known.includes(key));
}

function fieldError(field: string, message: string): ValidationError {
  return new ValidationError(`${field} ${message}`, [{ field, message }]);
}

/** Oxy's `*_var` fields of a server config, in the order they replace their field. */
const VAR_FIELDS = ['host', 'port', 'user', 'database'] as const;

/**
 * A server config with its `host_var`, `port_var`, `user_var` and `database_var` read from `env`
 * (the references stay in the stored config; only the connection sees the values).
 */
export function resolveServerVars(
  config: ServerConfig,
  env: Readonly<Record<string, string | undefined>>,
): ServerConfig & { host: string; user: string } {
  const resolved: Record<string, unknown> = { ...config };
  for (const key of VAR_FIELDS) {
    const name = config[`${key}_var`];
    if (name === undefined) continue;
    const value = env[name];
    if (value === undefined || value === '')
      throw new ValidationError(`environment variable ${name} (${key}_var) is not set`, [
        { field: `config.${key}_var`, message: `environment variable ${name} is not set` },
      ]);
    if (key === 'port' && !/^\d{1,5}$/.test(value))
      throw new ValidationError(`environment variable ${name} (port_var) is not a port number`, [
        { field: 'config.port_var', message: 'not a port number' },
      ]);
    resolved[key] = key === 'port' ? Number(value) : value;
    delete resolved[`${key}_var`];
  }
  return resolved as ServerConfig & { host: string; user: string };
}
