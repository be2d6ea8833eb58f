import fs from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p`, one folder at a time. Node 20's `mkdirSync(dir, { recursive: true })` loops forever
 * on some paths it cannot create (e.g. under /proc); creating each missing folder in turn fails at
 * once with the real reason (ENOENT, EACCES, ENOTDIR).
 */
export function makeDirectory(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let current = path.resolve(dir); !fs.existsSync(current); current = path.dirname(current)) {
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder, mode === undefined ? undefined : { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(folder).isDirectory()) throw error;
    }
  }
}
