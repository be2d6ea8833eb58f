import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const PROJECT_FILE = 'config.yml';

/** An Oxy project folder: the folder holding `config.yml`, and what that file says. */
export interface ProjectFolder {
  root: string;
  /** The `databases` entries of config.yml, by name (Oxy's fields, `*_var` references unresolved). */
  databases: Map<string, Record<string, unknown>>;
  /** Why config.yml could not be read, when it could not. */
  configProblem?: string;
}

/** The project folder `start` is in: the nearest folder at or above it holding config.yml, or undefined. */
export function findProjectRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  if (existsSync(dir) && !statSync(dir).isDirectory()) dir = path.dirname(dir);
  for (;;) {
    if (existsSync(path.join(dir, PROJECT_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function readProjectFolder(root: string): ProjectFolder {
  const databases = new Map<string, Record<string, unknown>>();
  try {
    const config = parse(readFileSync(path.join(root, PROJECT_FILE), 'utf8')) as { databases?: unknown } | null;
    const list = Array.isArray(config?.databases) ? config.databases : [];
    for (const entry of list) {
      if (entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string') {
        databases.set((entry as { name: string }).name, entry as Record<string, unknown>);
      }
    }
    return { root, databases };
  } catch (error) {
    return { root, databases, configProblem: (error as Error).message.split('\n')[0] };
  }
}
