import path from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DATABASE_KINDS } from '../../db/entities.js';
import { ValidationError } from '../../errors.js';

export type DatabaseKind = (typeof DATABASE_KINDS)[number];

const timeout = Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000, description: 'statement timeout, ms' }));
const rowLimit = Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'default row cap' }));
const secretName = Type.String({ minLength: 1, maxLength: 200 });

/** A server reached over the network; the password is a reference, never the value. */
const server = {
  host: Type.String({ minLength: 1, maxLength: 255 }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  user: Type.String({ minLength: 1, maxLength: 200 }),
  database: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  password_secret: Type.Optional(secretName),
  password_var: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 200 })),
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
