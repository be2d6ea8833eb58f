import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OXY_BIN = path.join(ROOT, 'bin', 'oxy.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When the timeout killed it (Date.now()), if it did. */
  killedAt?: number;
}

/**
 * Runs the built `oxy` CLI (bin/oxy.js → dist/) as a user would, with `env` added to a clean
 * environment (no OXY_* leaking in from the test runner), and resolves when it exits.
 */
export function runOxy(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { timeoutMs?: number; stdin?: string; cwd?: string; onStderr?: (text: string) => void } = {},
): Promise<CliResult> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OXY_') && k !== 'SQLITE_URL' && k !== 'POSTGRES_URL'),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OXY_BIN, ...args], {
      env: { ...base, OXY_LOG_LEVEL: 'warn', ...env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr);
    });
    let killedAt: number | undefined;
    const timer = setTimeout(() => {
      killedAt = Date.now();
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ...(killedAt === undefined ? {} : { killedAt }) });
    });
  });
}
