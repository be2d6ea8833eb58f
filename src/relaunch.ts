import { spawn } from 'node:child_process';

/**
 * Commands that run in a child Node process started with V8 flags, which only a process's start
 * can set (V8 refuses them at run time, and NODE_OPTIONS does not carry them).
 *
 * `migrate-sqlite`: on a small machine the copy is CPU-bound on every core, and with the small
 * young generations that keep its memory flat, V8's parallel scavenges wake four helper threads
 * many times a second. Garbage collection on the collecting thread itself cost 3 core-seconds
 * less and ran 14% faster (2 million rows, 2 cores, interleaved runs); the main thread gets the
 * 3 MB young generation its encoder threads have.
 */
const FLAGS: Record<string, readonly string[]> = {
  'migrate-sqlite': ['--single-threaded-gc', '--max-semi-space-size=1'],
};

/** The command word of an `oxy` command line (the first argument that is not an option). */
function commandOf(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((arg) => !arg.startsWith('-'));
}

/**
 * Runs the command line again in a child Node process with its command's flags, when it has
 * some and this process lacks them: resolves with the child's exit code (a child killed by a
 * signal kills this process with it), or undefined to run here. The child shares the terminal,
 * gets the signals sent to this process, and stops if this process is killed outright.
 */
export async function relaunched(argv: readonly string[]): Promise<number | undefined> {
  const command = commandOf(argv);
  const flags = command === undefined ? undefined : FLAGS[command];
  if (!flags || flags.every((flag) => process.execArgv.includes(flag))) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, ...flags, ...argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      if (signal) process.kill(process.pid, signal);
      resolve(code ?? 1);
    });
  });
}

/**
 * In a relaunched child: exits at once when the parent is gone (killed with SIGKILL, say), as
 * the parent's own run would have stopped. Does not keep the process alive.
 */
export function followParent(): void {
  if (!process.channel) return;
  process.channel.unref();
  process.once('disconnect', () => process.exit(137));
}
