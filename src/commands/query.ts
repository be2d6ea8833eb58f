import { pipeline } from 'node:stream/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { resultCsv } from '../services/connectors/result-csv.js';
import type { ConnectorService } from '../services/connectors/connector.service.js';
import type { RowValues } from '../repositories/entity.repository.js';
import { SHUTDOWN_SIGNALS } from './shutdown-signals.js';
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
    .option(
      '--limit <n>',
      'most rows (default 10,000 or the database row_limit; CSV without --limit streams every row)',
      positiveInteger,
    )
    .action(async (database: string, sql: string, opts: { project?: string; format?: QueryFormat; limit?: number }) => {
      const config = loadConfig();
      const { database: app } = await openMigratedDatabase(config);
      try {
        const services = await createAppServices(config, app);
        try {
          const row = await services.connectors.findDatabase(database, opts.project);
          const format = opts.format ?? (process.stdout.isTTY ? 'table' : 'csv');
          if (format === 'csv' && opts.limit === undefined) return await streamCsv(services.connectors, row, sql);
          const result = await services.connectors.run(row, sql, opts.limit);
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

/**
 * Every row as CSV, written as fast as stdout takes it (no cap, memory flat); Ctrl+C cancels the
 * statement on the database server before oxy exits.
 */
async function streamCsv(connectors: ConnectorService, row: RowValues, sql: string): Promise<void> {
  const interrupted = new AbortController();
  const interrupt = () => interrupted.abort();
  for (const signal of SHUTDOWN_SIGNALS) process.once(signal, interrupt);
  try {
    await pipeline(resultCsv(await connectors.stream(row, sql, interrupted.signal)), process.stdout);
  } finally {
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, interrupt);
  }
}
