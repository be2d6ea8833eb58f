import path from 'node:path';
import { LOCAL_POSTGRES } from '../../container/postgres-container.js';
import type { StatusReport } from './facts.js';

/**
 * The commands worth running next, for what runs now: start, logs, psql, backups, a move to
 * PostgreSQL. With OXY_DATABASE_URL set, `oxy start` serves that database and starts none, so the
 * advice says how to get one.
 */
export function usefulCommands(r: StatusReport, databaseFromEnv: boolean): string[] {
  const cli = r.containerRuntime.cli;
  const name = LOCAL_POSTGRES.container;
  const out: string[] = [];
  const start = (rest: string, comment: string) =>
    `${`${databaseFromEnv ? 'env -u OXY_DATABASE_URL ' : ''}oxy start${rest}`.padEnd(32)} # ${comment}`;
  if (r.database.pendingMigrations?.length) out.push('oxy migrate                      # apply pending migrations');
  if (r.container.status === 'running') {
    out.push(
      `${cli} logs -f ${name}`,
      `${cli} exec -it ${name} psql -U ${LOCAL_POSTGRES.user} -d ${LOCAL_POSTGRES.database}`,
      `${cli} stop ${name}   # when no oxy start uses it (Ctrl+C there stops it)`,
    );
    out.push(
      `${cli} exec ${name} pg_dump -U ${LOCAL_POSTGRES.user} -Fc ${LOCAL_POSTGRES.database} > oxy.dump   # backup`,
    );
  } else if (r.container.status === 'stopped') {
    out.push(
      start('', `start ${name} (data kept in ${LOCAL_POSTGRES.volume}) and serve`),
      `${cli} logs ${name}`,
      'oxy start --clean                # remove the container (and, with --yes, its data)',
    );
  } else if (r.containerRuntime.daemonRunning && !r.embedded.running) {
    out.push(start('', `create ${name} with PostgreSQL 18 and serve`));
  } else if (!r.embedded.present) {
    out.push(start(' --runtime embedded', 'PostgreSQL 18 without Docker'));
  }
  if (r.embedded.running) {
    out.push(
      `psql -h 127.0.0.1 -p ${r.embedded.port} -U ${LOCAL_POSTGRES.user} ${LOCAL_POSTGRES.database}   # password ${LOCAL_POSTGRES.password}`,
    );
    out.push(
      `pg_dump -h 127.0.0.1 -p ${r.embedded.port} -U ${LOCAL_POSTGRES.user} -Fc ${LOCAL_POSTGRES.database} > oxy.dump   # backup`,
    );
    out.push('Ctrl+C in the terminal running oxy start stops it (data kept)');
  } else if (r.embedded.present) {
    out.push(start(' --runtime embedded', 'start the embedded PostgreSQL again (data kept) and serve'));
    out.push(
      `tar czf oxy-postgres-data.tgz -C ${path.dirname(r.embedded.dataDir)} ${path.basename(r.embedded.dataDir)}   # backup`,
    );
  }
  if (r.database.backend === 'sqlite' && r.database.file?.exists) {
    out.push(
      `sqlite3 ${r.database.file.path} ".backup oxy-backup.sqlite"   # backup`,
      `PGPASSWORD=${LOCAL_POSTGRES.password} oxy migrate-sqlite --from ${r.database.file.path} --to postgresql://${LOCAL_POSTGRES.user}@localhost:${r.container.port}/${LOCAL_POSTGRES.database} --dry-run   # check a move to the oxy start PostgreSQL`,
    );
  }
  out.push(databaseFromEnv ? 'oxy serve' : 'oxy serve                        # on the SQLite default');
  return out;
}
