import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';

/** Most bytes of context files put in a prompt, all files together. */
export const CONTEXT_MAX_BYTES = 200_000;

/**
 * The files an agent's `context` globs name under `root` (never outside it), each headed by its
 * path, in path order; cut at CONTEXT_MAX_BYTES with a note.
 */
export async function readContextFiles(root: string, globs: readonly string[]): Promise<string> {
  const files = await glob([...globs], { cwd: root, onlyFiles: true, ignore: ['**/node_modules/**', '**/.git/**'] });
  const inside = files.filter((file) => !path.relative(root, path.resolve(root, file)).startsWith('..')).sort();
  const parts: string[] = [];
  let size = 0;
  for (const file of inside) {
    const text = await readFile(path.resolve(root, file), 'utf8');
    if (size + text.length > CONTEXT_MAX_BYTES) {
      parts.push(`-- ${file}: left out (the context is limited to ${CONTEXT_MAX_BYTES} bytes)`);
      continue;
    }
    size += text.length;
    parts.push(`-- ${file}\n${text.trimEnd()}`);
  }
  return parts.join('\n\n');
}
