import { Command, CommanderError } from 'commander';
import { OxyError } from './errors.js';
import { VERSION } from './version.js';
/**
 * Every command, each defined in src/commands/<name>.ts, in the order `oxy --help` lists them.
 * Loaded on demand: a run loads only the command it names (the server stack, DuckDB and the web
 * app's dependencies cost a second and ~100 MB that `oxy migrate-sqlite` or `oxy status` never use).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.js')).serveCommand(),
  start: async () => (await import('./commands/start.js')).startCommand(),
  status: async () => (await import('./commands/status.js')).statusCommand(),
  migrate: async () => (await import('./commands/migrate.js')).migrateCommand(),
  'migrate-sqlite': async () => (await import('./commands/migrate-sqlite.js')).migrateSqliteCommand(),
  users: async () => (await import('./commands/users.js')).usersCommand(),
  query: async () => (await import('./commands/query.js')).queryCommand(),
  init: async () => (await import('./commands/init.js')).initCommand(),
  demo: async () => (await import('./commands/init.js')).demoCommand(),
  sync: async () => (await import('./commands/sync.js')).syncCommand(),
  worker: async () => (await import('./commands/worker.js')).workerCommand(),
  validate: async () => (await import('./commands/validate.js')).validateCommand(),
  run: async () => (await import('./commands/run.js')).runCommand(),
  import: async () => (await import('./commands/import.js')).importCommand(),
  test: async () => (await import('./commands/test.js')).testCommand(),
  ask: async () => (await import('./commands/ask.js')).askCommand(),
};

/** The command a command line names: its first word that is not an option (the program's own options take no value). */
function commandNamed(argv: string[]): string | undefined {
  const name = argv.slice(2).find((arg) => !arg.startsWith('-'));
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}

/** `oxy --version` alone: no command needs loading to print it. */
function versionOnly(argv: string[]): boolean {
  const args = argv.slice(2);
  return (
    commandNamed(argv) === undefined &&
    args.some((arg) => arg === '-V' || arg === '--version') &&
    !args.some((arg) => arg === '-h' || arg === '--help')
  );
}

/**
 * The program with every command, or with only `only` (all of them for help, or for a name that
 * is not a command), or with none (`bare`).
 */
export async function buildProgram(only?: string, bare = false): Promise<Command> {
  const program = new Command('oxy')
    .description('Agentic analytics: ask questions of your data in threads, run workflows, keep queries and charts.')
    .version(VERSION, '-V, --version')
    .option('--verbose', 'print stack traces with errors')
    .showHelpAfterError('(run `oxy --help` for usage)')
    .exitOverride();
  const makers = bare ? [] : only ? [COMMANDS[only]!] : Object.values(COMMANDS);
  for (const command of await Promise.all(makers.map((make) => make()))) program.addCommand(command);
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
  try {
    const program = await buildProgram(commandNamed(argv), versionOnly(argv));
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
