import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultWebRoot } from '../../src/server/web-app.js';

type Manifest = Record<string, { file: string; isEntry?: boolean; imports?: string[]; dynamicImports?: string[] }>;

const LIMIT = 300 * 1024;

/** The chunks a first visit loads: the entry and everything it imports statically (not the lazy pages). */
function initialChunks(manifest: Manifest): string[] {
  const entry = Object.keys(manifest).find((key) => manifest[key]!.isEntry);
  if (!entry) throw new Error('the build manifest has no entry');
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const next of manifest[key]?.imports ?? []) visit(next);
  };
  visit(entry);
  return [...seen].map((key) => manifest[key]!.file);
}

describe('the web app’s first load (npm run build output)', () => {
  const root = defaultWebRoot();
  const manifest = JSON.parse(fs.readFileSync(path.join(root, '.vite', 'manifest.json'), 'utf8')) as Manifest;
  const gzipped = (file: string) => gzipSync(fs.readFileSync(path.join(root, file)), { level: 9 }).length;

  it(`is under ${LIMIT / 1024} kB of gzipped JavaScript; the editor and charts load on demand`, () => {
    const initial = initialChunks(manifest);
    const total = initial.reduce((sum, file) => sum + gzipped(file), 0);
    expect(total, `initial JS ${initial.join(', ')}`).toBeLessThan(LIMIT);
    // CodeMirror and ECharts are in chunks of their own that the first load does not import.
    const lazy = Object.values(manifest).filter((chunk) => !initial.includes(chunk.file));
    expect(lazy.length).toBeGreaterThan(0);
    const initialText = initial.map((file) => fs.readFileSync(path.join(root, file), 'utf8')).join('\n');
    expect(initialText).not.toContain('cm-editor');
    expect(initialText).not.toContain('echarts');
  });
});
