import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openMigratedDatabase } from '../db/open-app-database.js';
import { createAppServices } from '../services/app-services.js';
import { ImportService, type ImportReport } from '../services/project/import.service.js';

function render(report: ImportReport): string {
  const width = Math.max(...report.items.map((i) => `${i.kind} ${i.name}`.length), 10);
  const lines = report.items.map(
    (i) =>
      `${i.outcome.padEnd(9)}  ${`${i.kind} ${i.name}`.padEnd(width)}  ${i.source}${i.reason ? `: ${i.reason}` : ''}`,
  );
  const count = (outcome: string) => report.items.filter((i) => i.outcome === outcome).length;
  const summary = `project ${report.project.name} (${report.project.created ? 'created' : 'updated'}) in workspace ${report.workspace.label}: ${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged, ${count('refused')} refused`;
  return `${[...lines, summary].join('\n')}\n`;
}

/** `oxy import DIR`: an Oxy project folder (config.yml, agents, workflows, SQL files) into a project. */
export function importCommand(): Command {
  return new Command('import')
    .description(
      'import an Oxy project folder (config.yml, *.agent.yml, *.procedure.yml, *.sql) into a project; again to update it',
    )
    .argument('<dir>', 'the Oxy project folder (the one holding config.yml)')
    .option('--project <name>', 'the project to import into (default: the folder name)')
    .option('--workspace <workspace>', "the workspace (id or slug) (default: the owner's first)")
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: { project?: string; workspace?: string; json?: boolean }) => {
      const config = loadConfig();
      const { database } = await openMigratedDatabase(config);
      try {
        const services = await createAppServices(config, database);
        const report = await new ImportService(database, services.repo, services.auth).importFolder(dir, {
          auth: config.auth,
          workspace: opts.workspace,
          project: opts.project,
        });
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
        if (report.items.some((i) => i.outcome === 'refused')) process.exitCode = 1;
      } finally {
        await database.close();
      }
    });
}
