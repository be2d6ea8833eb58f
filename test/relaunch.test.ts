import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { relaunched } from '../src/relaunch.js';
import { tempDir } from './support/backends.js';

/** A stand-in for bin/oxy.js that records the Node flags and arguments it was started with, then exits 3. */
function recorder(dir: string): { script: string; seen: () => { execArgv: string[]; argv: string[] } } {
  const out = path.join(dir, 'seen.json');
  const script = path.join(dir, 'record.mjs');
  fs.writeFileSync(
    script,
    `import fs from 'node:fs';
fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({ execArgv: process.execArgv, argv: process.argv.slice(2) }));
process.exit(3);\n`,
  );
  return { script, seen: () => JSON.parse(fs.readFileSync(out, 'utf8')) };
}

describe('relaunch', () => {
  it('runs migrate-sqlite again in a child Node process with its V8 flags and the same arguments, and passes its exit code on', async () => {
    const { script, seen } = recorder(tempDir('oxy-relaunch-'));
    const args = ['--verbose', 'migrate-sqlite', '--from', 'a b.sqlite', '--dry-run'];
    expect(await relaunched([process.execPath, script, ...args])).toBe(3);
    const child = seen();
    expect(child.execArgv).toEqual(expect.arrayContaining(['--single-threaded-gc', '--max-semi-space-size=1']));
    expect(child.argv).toEqual(args);
  });

  it('runs every other command in place', async () => {
    const dir = tempDir('oxy-relaunch-');
    const { script } = recorder(dir);
    for (const args of [['serve'], ['migrate'], ['--help'], []])
      expect(await relaunched([process.execPath, script, ...args]), args.join(' ')).toBeUndefined();
    expect(fs.existsSync(path.join(dir, 'seen.json'))).toBe(false);
  });
});
