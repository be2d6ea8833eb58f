import { spawn } from 'node:child_process';
import fs from 'node:fs';

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came. */
  output: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Run as this user (oxy as root runs PostgreSQL as `postgres`). */
  uid?: number;
  gid?: number;
  /** Killed (SIGKILL) when it runs longer. */
  timeoutMs?: number;
}

/**
 * Runs a command in a process group of its own and waits for it to exit. A Ctrl+C in the terminal
 * then reaches oxy alone, which lets the step (an image pull, initdb) finish and stops what it
 * started, instead of the command being cut off midway. Rejects with the spawn error (ENOENT…).
 */
export function runInOwnGroup(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ProcessResult> {
  const { timeoutMs, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
    const result: ProcessResult = { code: 1, stdout: '', stderr: '', output: '' };
    child.stdout
      .setEncoding('utf8')
      .on('data', (chunk: string) => ((result.stdout += chunk), (result.output += chunk)));
    child.stderr
      .setEncoding('utf8')
      .on('data', (chunk: string) => ((result.stderr += chunk), (result.output += chunk)));
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ ...result, code: code ?? 1 });
    });
  });
}

/** Whether a process `pid` exists (EPERM: it does, owned by another user, e.g. `postgres`). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is a live PostgreSQL server or oxy command. Where /proc tells what a process runs
 * (Linux), a pid reused by another program after a crash or reboot does not count; elsewhere,
 * being alive is all that can be checked.
 */
export function processIs(pid: number, what: 'postgres' | 'oxy'): boolean {
  if (!processAlive(pid)) return false;
  try {
    return what === 'postgres'
      ? fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres'
      : /oxy/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true;
  }
}
