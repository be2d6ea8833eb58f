import { Command, CommanderError } from 'commander';
import { OxyError } from './errors.js';
import { VERSION } from './version.js';
import { migrateCommand } from './commands/migrate.js';
import { migrateSqliteCommand } from './commands/migrate-sqlite.js';
import { serveCommand } from './commands/serve.js';
import { usersCommand } from './commands/users.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { queryCommand } from './commands/query.js';
import { demoCommand, initCommand } from './commands/init.js';
import { syncCommand } from './commands/sync.js';
import { workerCommand } from './commands/worker.js';
import { validateCommand } from './commands/validate.js';
import { runCommand } from './commands/run.js';
import { importCommand } from './commands/import.js';
import { askCommand } from './commands/ask.js';

/** Every command, each defined in src/commands/<name>.ts. */
const COMMANDS: (() => Command)[] = [
  serveCommand,
  startCommand,
  statusCommand,
  migrateCommand,
  migrateSqliteCommand,
  usersCommand,
  queryCommand,
  initCommand,
  demoCommand,
  syncCommand,
  workerCommand,
  validateCommand,
  runCommand,
  importCommand,
  askCommand,
];

export function buildProgram(): Command {
  const program = new Command('oxy')
    .description('Agentic analytics: ask questions of your data in threads, run workflows, keep queries and charts.')
    .version(VERSION, '-V, --version')
    .option('--verbose', 'print stack traces with errors')
    .showHelpAfterError('(run `oxy --help` for usage)')
    .exitOverride();
  for (const make of COMMANDS) program.addCommand(make());
  // Usage errors anywhere in the tree come back to main() instead of exiting the process.
  const overrideAll = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(overrideAll);
  };
  overrideAll(program);
  return program;
}

/**
 * Runs the CLI and resolves to the exit code: 0 success, 1 failure, 2 usage. Errors are printed
 * as one `Error:` line plus a `Hint:` line; stacks only with --verbose or DEBUG.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error, argv.includes('--verbose') || Boolean(process.env.DEBUG));
  }
}

export function reportError(error: unknown, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // commander has already printed help, the version or the usage problem.
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    )
      return 0;
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof OxyError) {
    process.stderr.write(`Error: ${error.message}\n`);
    if (error.hint) process.stderr.write(`Hint: ${error.hint}\n`);
    if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Error: ${message.split('\n')[0]}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('Hint: run again with --verbose for details\n');
  return 1;
}
