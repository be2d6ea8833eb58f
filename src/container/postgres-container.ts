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

/** postgresql://postgres:postgres@localhost:<port>/oxy */
export function localPostgresUrl(port: number): string {
  return `postgresql://${LOCAL_POSTGRES.user}:${LOCAL_POSTGRES.password}@localhost:${port}/${LOCAL_POSTGRES.database}`;
}
