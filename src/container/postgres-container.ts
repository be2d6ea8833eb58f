import { OxyError } from '../errors.js';

/** The one local PostgreSQL `oxy start` manages, whichever runtime runs it. */
export const LOCAL_POSTGRES = {
  container: 'oxy-postgres',
  image: 'postgres:18-alpine',
  volume: 'oxy-postgres-data',
  /** Where the PostgreSQL 18 images keep data: the volume is mounted at the parent. */
  mountPath: '/var/lib/postgresql',
  pgdata: '/var/lib/postgresql/18/docker',
  port: 15432,
  user: 'postgres',
  password: 'postgres',
  database: 'oxy',
  label: 'dev.oxy.managed=true',
} as const;

/** The port `oxy start` uses: 15432, or OXY_POSTGRES_PORT (for a second installation or tests). */
export function localPostgresPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.OXY_POSTGRES_PORT?.trim();
  if (!raw) return LOCAL_POSTGRES.port;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new OxyError('invalid_port', `OXY_POSTGRES_PORT must be a port number from 1 to 65535, got "${raw}"`, { hint: `unset it to use ${LOCAL_POSTGRES.port}` });
  }
  return port;
}

/** postgresql://postgres:postgres@localhost:<port>/oxy */
export function localPostgresUrl(port: number): string {
  return `postgresql://${LOCAL_POSTGRES.user}:${LOCAL_POSTGRES.password}@localhost:${port}/${LOCAL_POSTGRES.database}`;
}
