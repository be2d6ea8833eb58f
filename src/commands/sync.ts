import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openMigratedDatabase } from '../db/open-app-database.js';
import { NotFoundError, OxyError } from '../errors.js';
import type { RowValues } from '../repositories/entity.repository.js';
import { createAppServices, type AppServices } from '../services/app-services.js';
import { connectorErrors } from '../services/connectors/connector-errors.js';
import type { SyncProgress, SyncSummary } from '../services/catalog/catalog.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `oxy sync [DATABASE]`: reads databases' catalogs into the application database, inline (no server). */
export function syncCommand(): Command {
  return new Command('sync')
    .description(
      "read a database's catalog (schemas, tables, views, columns) into oxy; without DATABASE, every database",
    )
    .argument('[database]', "the database's name or id")
    .option('--project <project>', 'the project the database(s) are in (name or id)')
    .option('--json', 'print one JSON object per database (for scripts)')
    .action(async (database: string | undefined, opts: { project?: string; json?: boolean }) => {
      const config = loadConfig();
      const { database: app } = await openMigratedDatabase(config);
      try {
        const services = await createAppServices(config, app);
        try {
          const rows = database
            ? [await services.connectors.findDatabase(database, opts.project)]
            : await everyDatabase(services, opts.project);
          await syncAll(services, rows, { json: opts.json === true, single: database !== undefined });
        } finally {
          await services.connectors.closeAll();
        }
      } finally {
        await app.close();
      }
    });
}

async function syncAll(services: AppServices, rows: RowValues[], options: { json: boolean; single: boolean }) {
  const tty = process.stderr.isTTY === true && !options.json;
  for (const row of rows) {
    const name = String(row.name);
    const progress = tty
      ? (p: SyncProgress) => void process.stderr.write(`\r\x1b[K${progressLine(name, p)}`)
      : undefined;
    try {
      const summary = await services.catalog.sync(String(row.id), progress ? { onProgress: progress } : {});
      if (tty) process.stderr.write('\r\x1b[K');
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ database: name, id: row.id, ...summary })}\n`
          : `${summaryLine(name, summary)}\n`,
      );
    } catch (error) {
      if (tty) process.stderr.write('\r\x1b[K');
      // One database failing must not hide the others' results; the exit code says it failed.
      if (options.single || !(error instanceof OxyError)) throw error;
      process.stderr.write(`Error: ${name}: ${error.message}\n`);
      if (options.json)
        process.stdout.write(
          `${JSON.stringify({ database: name, id: row.id, error: { code: error.code, message: error.message } })}\n`,
        );
      process.exitCode = 1;
    }
  }
}

/** `sales: 3 datasets, 12 tables, 140 columns (+12 ~0 -0) in 84 ms` */
export function summaryLine(name: string, s: SyncSummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${name}: ${plural(s.datasets, 'dataset')}, ${plural(s.tables, 'table')}, ${plural(s.columns, 'column')} (+${s.added} ~${s.updated} -${s.removed}) in ${s.elapsedMs} ms`;
}

function progressLine(name: string, p: SyncProgress): string {
  if (p.phase === 'reading') return `${name}: reading the catalog…`;
  if (p.phase === 'writing') return `${name}: storing ${p.total ?? 0} tables…`;
  return `${name}: done`;
}

/** Every database row (of one project, when given), in creation order. */
async function everyDatabase(services: AppServices, project: string | undefined): Promise<RowValues[]> {
  const where: RowValues = {};
  if (project !== undefined) {
    const byId = UUID.test(project) ? await services.repo.findBy('projects', { id: project }) : undefined;
    const found = byId ? [byId] : (await services.repo.list('projects', { where: { name: project }, limit: 2 })).items;
    if (found.length === 0) throw new NotFoundError(`no project ${JSON.stringify(project)}`);
    if (found.length > 1) throw connectorErrors.ambiguous('project', project);
    where.project_id = found[0]!.id;
  }
  const rows: RowValues[] = [];
  for (let after: string | undefined; ;) {
    const page = await services.repo.list('databases', { where, limit: 500, ...(after ? { after } : {}) });
    rows.push(...page.items);
    if (!page.nextCursor) return rows;
    after = page.nextCursor;
  }
}
