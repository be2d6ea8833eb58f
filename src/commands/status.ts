import { Command } from 'commander';
import { usefulCommands } from './status/advice.js';
import { collectFacts, databaseAnswers, type StatusReport } from './status/facts.js';
import { renderStatus } from './status/render.js';

/** Every fact `oxy status` shows, and the commands worth running next; touches nothing. */
export async function collectStatus(env: NodeJS.ProcessEnv = process.env): Promise<StatusReport> {
  const { report, databaseFromEnv } = await collectFacts(env);
  return { ...report, commands: usefulCommands(report, databaseFromEnv) };
}

/** `oxy status`: what runs where, and whether the database oxy uses answers (exit 0) or not (1). */
export function statusCommand(): Command {
  return new Command('status')
    .description(
      'show the container runtime, the oxy-postgres container, the embedded PostgreSQL and the configured database',
    )
    .option('--json', 'print the facts as one JSON document', false)
    .action(async (opts: { json: boolean }) => {
      const report = await collectStatus();
      const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      process.stdout.write(
        opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderStatus(report, { colour })}\n`,
      );
      if (!databaseAnswers(report)) process.exitCode = 1;
    });
}
