import path from 'node:path';

/** Oxy's `type` names for the engines oxy reaches (oxy adds sqlite). */
const KINDS: Record<string, string> = { duckdb: 'duckdb', sqlite: 'sqlite', postgres: 'postgres', mysql: 'mysql' };
/** Fields kept as they are; the `*_var` ones stay references, read from the environment when connecting. */
const KEPT = ['host', 'port', 'user', 'database', 'ssl', 'timeout_ms', 'row_limit'];
const VARS = ['host_var', 'port_var', 'user_var', 'database_var', 'password_var'];

/**
 * One `databases` entry of an Oxy config.yml as oxy's kind and config: DuckDB/SQLite paths made
 * absolute from the project folder, `*_var` references kept (never resolved into stored values),
 * a clear `password` refused. The config is then checked by its kind's schema by the caller.
 */
export function fromOxyDatabase(
  root: string,
  entry: Record<string, unknown>,
): { kind: string; config: Record<string, unknown> } | { refused: string } {
  const kind = KINDS[String(entry.type)];
  if (!kind) return { refused: `type ${String(entry.type)} is not one oxy reaches (duckdb, sqlite, postgres, mysql)` };
  if ('password' in entry)
    return {
      refused: 'a password written in config.yml is never used: name an environment variable with password_var',
    };
  const config: Record<string, unknown> = {};
  for (const key of ['path', 'dataset'])
    if (typeof entry[key] === 'string') config[key] = path.resolve(root, entry[key]);
  for (const key of [...KEPT, ...VARS]) if (entry[key] !== undefined) config[key] = entry[key];
  return { kind, config };
}
