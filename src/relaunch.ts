import { spawn } from 'node:child_process';
import os from 'node:os';

/**
 * Commands that run in a child Node process started with V8 flags, which only a process's start
 * can set (V8 refuses them at run time, and NODE_OPTIONS does not carry `--single-threaded-gc`).
 *
 * `migrate-sqlite`: on a small machine the copy is CPU-bound on every core, and with the small
 * young generations that keep its memory flat, V8's parallel scavenges wake four helper threads
 * many times a second. Garbage collection on the collecting thread itself cost 3 core-seconds
 * less and ran 10 to 14% faster (2 million rows, 2 cores, interleaved runs); the main thread gets
 * a 3 MB young generation (the encoder threads have 2 MB). These flags come after the user's own.
 */
const FLAGS: Record<string, readonly string[]> = {
  'migrate-sqlite': ['--single-threaded-gc', '--max-semi-space-size=1'],
};

/** Set in the child's environment: the command line has been relaunched once already. */
const MARK = 'OXY_RELAUNCHED';

/** Signals the parent passes on (a terminal's Ctrl-C reaches the child too; a second SIGINT changes nothing for it). */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The command word of an `oxy` command line (the first argument that is not an option). */
function commandOf(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((arg) => !arg.startsWith('-'));
}

/**
 * Runs the command line again in a child Node process with its command's flags, when it has
 * some: resolves with the child's exit code, or undefined to run here (other commands, or in
 * the child itself). The child shares the terminal, gets the signals sent to this process, and
 * stops if this process is killed outright (followParent). A child stopped by SIGINT, SIGTERM,
 * SIGHUP or SIGKILL stops this process the same way; any other signal (a crash) becomes exit
 * code 128 + its number.
 */
export async function relaunched(argv: readonly string[]): Promise<number | undefined> {
  const command = commandOf(argv);
  const flags = command === undefined ? undefined : FLAGS[command];
  if (!flags || process.env[MARK]) return undefined;
  // The debugger's port belongs to this process.
  const inherited = process.execArgv.filter((arg) => !arg.startsWith('--inspect'));
  const child = spawn(process.execPath, [...inherited, ...flags, ...argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [MARK]: '1' },
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      if (signal === 'SIGKILL' || (signal && (FORWARDED as readonly string[]).includes(signal)))
        process.kill(process.pid, signal);
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
    });
  });
}

/**
 * In a relaunched child: exits when the parent is gone (killed with SIGKILL, say), as the
 * parent's own run would have stopped, at the next turn of the event loop. Does not keep the
 * process alive.
 */
export function followParent(): void {
  if (!process.env[MARK] || !process.channel) return;
  process.channel.unref();
  process.once('disconnect', () => process.exit(137));
}
