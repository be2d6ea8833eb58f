import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config.js';
import { createAppServices } from '../services/app-services.js';
import { openMigratedDatabase } from '../db/open-app-database.js';
import { QUERY_FORMATS, renderResult, summary, type QueryFormat } from './query-output.js';

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('a positive whole number');
  return Number(value);
}

/** `oxy query DATABASE "SQL"`: one read-only statement on a database row, as a table, CSV or JSON. */
export function queryCommand(): Command {
  return new Command('query')
    .description('run one read-only SQL statement on a database (a table on a terminal, CSV or JSON for scripts)')
    .argument('<database>', "the database's name or id")
    .argument('<sql>', 'one read-only statement')
    .option('--project <project>', 'the project the database is in (name or id), when its name is not unique')
    .addOption(
      new Option('--format <format>', 'output format (default: table on a terminal, else csv)').choices(QUERY_FORMATS),
    )
    .option('--limit <n>', 'most rows (default 10,000 or the database row_limit)', positiveInteger)
    .action(async (database: string, sql: string, opts: { project?: string; format?: QueryFormat; limit?: number }) => {
      const config = loadConfig();
      const { database: app } = await openMigratedDatabase(config);
      try {
        const services = await createAppServices(config, app);
        try {
          const row = await services.connectors.findDatabase(database, opts.project);
          const result = await services.connectors.run(row, sql, opts.limit);
          const format = opts.format ?? (process.stdout.isTTY ? 'table' : 'csv');
          process.stdout.write(renderResult(result, format));
          if (format === 'table') process.stdout.write(summary(result));
          else if (result.truncated)
            process.stderr.write(`warning: truncated at ${result.rowCount} rows; raise --limit\n`);
        } finally {
          await services.connectors.closeAll();
        }
      } finally {
        await app.close();
      }
    });
}
