import fs from 'node:fs';
import path from 'node:path';
import { makeDirectory } from '../../util/make-directory.js';
import { demoErrors, fsReason } from './demo-errors.js';

/** A folder written beside its target, then swapped in: the target is never seen half-written. */
export interface StagedFolder {
  /** Where the files are written until {@link StagedFolder.install}. */
  readonly staging: string;
  /** Moves the staged folder to the target (the previous one, if any, kept aside until commit). */
  install(): InstalledFolder;
  /** Removes the staged folder (the target is untouched). */
  discard(): void;
}

export interface InstalledFolder {
  /** Drops the previous folder. */
  commit(): void;
  /** Puts the previous folder back (or none, if there was none). */
  rollback(): void;
}

/**
 * Checks that `dir` can take the demo: absent, an empty folder, or (with `force`) any folder.
 * A file, or a folder with files without `force`, is refused with the fix.
 */
export function checkTarget(dir: string, force: boolean): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw demoErrors.notWritable(dir, fsReason(error));
  }
  if (!stat.isDirectory()) throw demoErrors.notAFolder(dir);
  if (!force && fs.readdirSync(dir).length > 0) throw demoErrors.folderExists(dir);
}

/** Creates the staging folder next to `dir` (same file system, so the swap is a rename). */
export function stageFolder(dir: string): StagedFolder {
  const parent = path.dirname(dir);
  let staging: string;
  try {
    makeDirectory(parent);
    staging = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.new-`));
    fs.chmodSync(staging, 0o755); // mkdtemp makes it private; the project folder is an ordinary one
  } catch (error) {
    throw demoErrors.notWritable(dir, fsReason(error));
  }
  return {
    staging,
    discard: () => fs.rmSync(staging, { recursive: true, force: true }),
    install: () => install(staging, dir),
  };
}

function install(staging: string, dir: string): InstalledFolder {
  const previous = fs.existsSync(dir) ? `${staging.replace(/\.new-/, '.old-')}` : undefined;
  try {
    if (previous) fs.renameSync(dir, previous);
    fs.renameSync(staging, dir);
  } catch (error) {
    if (previous && !fs.existsSync(dir) && fs.existsSync(previous)) fs.renameSync(previous, dir);
    fs.rmSync(staging, { recursive: true, force: true });
    throw demoErrors.notWritable(dir, fsReason(error));
  }
  return {
    commit: () => {
      if (previous) fs.rmSync(previous, { recursive: true, force: true });
    },
    rollback: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      if (previous) fs.renameSync(previous, dir);
    },
  };
}
