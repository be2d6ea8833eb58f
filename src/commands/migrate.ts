import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openMigratedDatabase } from '../db/open-app-database.js';

/** `oxy migrate`: apply pending schema migrations to the configured database. */
export function migrateCommand(): Command {
  return new Command('migrate')
    .description(
      'apply pending schema migrations to the configured database (OXY_DATABASE_URL or the default SQLite file)',
    )
    .action(async () => {
      const config = loadConfig();
      const { database, applied, version } = await openMigratedDatabase(config);
      await database.close();
      const where = `${config.database.backend} ${config.database.display}`;
      if (applied.length === 0) process.stdout.write(`Database is up to date (schema version ${version}, ${where})\n`);
      else {
        for (const name of applied) process.stdout.write(`Applied ${name}\n`);
        process.stdout.write(`Schema version ${version} (${where})\n`);
      }
    });
}
