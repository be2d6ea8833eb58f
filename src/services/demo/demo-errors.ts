import { defineError } from '../../errors.js';

const FORCE = 'run `oxy init --demo --force` to recreate it';

/** Errors of `oxy init --demo`: each names the problem and the fix in one line. */
export const demoErrors = {
  notAFolder: defineError('demo_not_a_folder', (dir: string) => ({
    message: `${dir} exists and is not a folder`,
    hint: 'name another folder: oxy init --demo DIR',
  })),
  folderExists: defineError('demo_folder_exists', (dir: string) => ({
    message: `${dir} already exists and is not empty`,
    hint: `${FORCE} (its files are replaced), or name another folder: oxy init --demo DIR`,
  })),
  notWritable: defineError('demo_not_writable', (dir: string, reason: string) => ({
    message: `cannot write the demo folder ${dir}: ${reason}`,
    hint: 'name a folder you can write to: oxy init --demo DIR',
  })),
  projectExists: defineError('demo_project_exists', (project: string, workspace: string) => ({
    message: `workspace ${workspace} already has a project ${project}`,
    hint: `${FORCE} (the project's databases, queries and charts are replaced), or pick another workspace with --workspace`,
  })),
};

/** A file-system error's reason in a few words (`permission denied (EACCES)`), without the path repeated. */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOTDIR: 'a part of the path is a file, not a folder',
    ENOSPC: 'no space left on the device',
    ENOENT: 'a part of the path does not exist',
  };
  if (code && reasons[code]) return `${reasons[code]} (${code})`;
  return (error as Error).message?.split('\n')[0] ?? String(error);
}
