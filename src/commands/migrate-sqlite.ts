import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultSqlitePath, resolveStateDir } from '../config.js';
import { parseDatabaseUrl } from '../db/url.js';
import { OxyError, UsageError } from '../errors.js';
import { migrateSqlite, type StartMode, type TransferReport } from '../transfer/migrate-sqlite.js';
import { createReporter, formatReport } from '../transfer/transfer-reporter.js';
import { countParser } from './count-option.js';

interface Flags {
  from?: string;
  to?: string;
  dryRun: boolean;
  batchSize: number;
  threads?: number;
  json: boolean;
  resume: boolean;
  restart: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw new InvalidArgumentError(`'${value}' is not a whole number from 1 to 1000000.`);
  return n;
}

/** A source given as a plain file path (what people type) becomes the sqlite:// URL it means. */
function asSqliteUrl(value: string | undefined): string | undefined {
  if (value === undefined || /^[a-z][a-z0-9+.-]*:/i.test(value.trim())) return value;
  return `sqlite://${path.resolve(value.trim())}`;
}

/** `oxy migrate-sqlite`: copy every row of an oxy SQLite database into PostgreSQL, and prove it. */
export function migrateSqliteCommand(): Command {
  return new Command('migrate-sqlite')
    .description('copy all oxy data from SQLite to PostgreSQL, verified by row counts and checksums')
    .option(
      '--from <sqlite-url>',
      'source: sqlite:///path/db.sqlite or a file path (default: $SQLITE_URL, else the default oxy SQLite file)',
    )
    .option('--to <postgres-url>', 'target: postgresql://user:pass@host:5432/db (default: $POSTGRES_URL)')
    .option('--dry-run', 'check the source and print the plan; write nothing', false)
    .addOption(new Option('--batch-size <n>', 'rows per COPY transaction').default(20_000).argParser(positiveInt))
    .addOption(
      new Option(
        '--threads <n>',
        'threads reading and encoding rows; each costs about 30 MB (default: one per core, at most 4)',
      ).argParser(countParser(1, 16)),
    )
    .option('--json', 'print the final report as JSON on stdout (progress stays on stderr)', false)
    .option('--resume', 'continue an unfinished migration recorded in the target', false)
    .option('--restart', 'empty the target’s oxy tables and copy everything again', false)
    .action(async (flags: Flags) => {
      if (flags.resume && flags.restart)
        throw new UsageError('--resume and --restart exclude each other', 'pass one of them');
      const fromUrl = asSqliteUrl(flags.from ?? process.env.SQLITE_URL);
      const source = fromUrl ? parseDatabaseUrl(fromUrl, flags.from ? '--from' : 'SQLITE_URL') : undefined;
      if (source && source.backend !== 'sqlite')
        throw new UsageError(
          `--from must be a sqlite:// URL (got ${source.display})`,
          'e.g. --from sqlite:///home/me/.local/share/oxy/db.sqlite',
        );
      const sourcePath = source?.backend === 'sqlite' ? source.path : defaultSqlitePath(resolveStateDir());
      const toUrl = flags.to ?? process.env.POSTGRES_URL;
      if (!toUrl)
        throw new UsageError(
          'no target PostgreSQL given',
          'pass --to postgresql://user:pass@host:5432/db or set POSTGRES_URL',
        );
      const target = parseDatabaseUrl(toUrl, flags.to ? '--to' : 'POSTGRES_URL');
      if (target.backend !== 'postgres')
        throw new UsageError(
          `--to must be a postgresql:// URL (got ${target.display})`,
          'e.g. --to postgresql://postgres:postgres@localhost:15432/oxy',
        );
      const mode: StartMode = flags.resume ? 'resume' : flags.restart ? 'restart' : 'fresh';
      const reporter = createReporter({
        stream: process.stderr,
        tty: Boolean(process.stderr.isTTY) && !flags.json,
        quiet: false,
      });
      reporter.note(`${flags.dryRun ? 'Checking' : 'Migrating'} ${sourcePath} -> ${target.display}`);
      let report: TransferReport;
      try {
        report = await migrateSqlite({
          sourcePath,
          target,
          dryRun: flags.dryRun,
          batchSize: flags.batchSize,
          encoderThreads: flags.threads,
          mode,
          reporter,
        });
      } catch (error) {
        reporter.close();
        const partial = (error as { report?: TransferReport }).report;
        if (flags.json && partial) process.stdout.write(`${JSON.stringify(partial, null, 2)}\n`);
        throw error;
      }
      reporter.close();
      if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stderr.write(`\n${formatReport(report)}\n`);
      if (!report.ok)
        throw new OxyError('migrate_sqlite_failed', report.error ?? 'the migration did not complete', {
          hint: flags.dryRun ? 'fix the problems listed above, then run again' : 'run again with --resume',
        });
    });
}
